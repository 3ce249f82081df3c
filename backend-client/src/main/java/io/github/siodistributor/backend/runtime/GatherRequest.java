package io.github.siodistributor.backend.runtime;

import io.github.siodistributor.core.protocol.Message.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A question every receiver answers once (fetchSockets and allRooms to the workers, serverSideEmitWithAck
 * to the other backend instances); completes with the answers put together once all are in. With no
 * receiver at all it completes at once, with the answers of nobody.
 */
final class GatherRequest<R extends Reply, T> extends PendingRequest<T> {

    private final Class<R> replyType;
    private final String what;
    private final Function<List<R>, T> combine;
    private final TimeoutFailure<R> timeoutFailure;
    private final List<R> replies = new ArrayList<>();
    /** The parts still to come of each responder's answer that came in part. */
    private final Map<String, Integer> partsToCome = new HashMap<>();
    private int whole;

    /**
     * @param what the request and who answers it, for messages: {@code "fetchSockets of /chat"}
     * @param timeoutFailure builds the failure from its message and the answers that came, such as a
     *        {@link TimeoutException}
     */
    GatherRequest(Class<R> replyType, String what, Function<List<R>, T> combine,
            TimeoutFailure<R> timeoutFailure) {
        this.replyType = replyType;
        this.what = what;
        this.combine = combine;
        this.timeoutFailure = timeoutFailure;
    }

    /** Builds the failure at the timeout from its message, the answers that came and the receivers (-1: unknown). */
    @FunctionalInterface
    interface TimeoutFailure<R> {
        Throwable build(String message, List<R> replies, long receivers);
    }

    List<R> replies() {
        return replies;
    }

    @Override
    boolean take(Reply reply) {
        if (!replyType.isInstance(reply)) {
            return false;
        }
        replies.add(replyType.cast(reply));
        // a duplicate never gets here (firstFrom), so counting parts down tells when an answer is whole
        int toCome = partsToCome.getOrDefault(reply.responderId(), reply.parts()) - 1;
        if (toCome == 0) {
            partsToCome.remove(reply.responderId());
            whole++;
        } else {
            partsToCome.put(reply.responderId(), toCome);
        }
        return true;
    }

    @Override
    boolean complete(long receivers) {
        return whole >= receivers;
    }

    @Override
    T value() {
        return combine.apply(replies);
    }

    @Override
    Throwable timedOut(Duration timeout) {
        return timeoutFailure.build(what + ": " + whole + " of " + (receivers() < 0 ? "?" : receivers())
                + " answered within " + timeout + (partsToCome.isEmpty() ? "" : ", " + partsToCome.size()
                + " more in part"), List.copyOf(replies), receivers());
    }

    @Override
    Throwable unreachable(String why) {
        return new IllegalStateException(what + " reached nobody (" + why + ")");
    }
}
