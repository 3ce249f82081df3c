package io.github.siodistributor.backend.runtime;

import io.github.siodistributor.core.protocol.Message.Reply;
import io.github.siodistributor.core.protocol.WorkerRun;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A request of this backend waiting for the answers of several receivers on its reply channel. How
 * many receivers there are is learned from Redis (the PUBLISH answer) and may arrive after the first
 * answers. Guarded by {@link PendingRequests}, which calls it under the request's own lock.
 */
abstract class PendingRequest<T> {

    final CompletableFuture<T> result;
    private long receivers = -1;
    /** Who answered, by kind of answer and part; made with the first answer. */
    private Set<Answer> answered;

    private record Answer(Class<?> type, String responder, int part) {
    }

    PendingRequest() {
        this(null);
    }

    /** @param awaitedSocket the one socket whose answer this waits for, or null */
    PendingRequest(String awaitedSocket) {
        result = new WaitRefusingFuture<>(awaitedSocket);
    }

    /** Whether this is the first answer of its kind (and part) from its responder: a second is a duplicate delivery. */
    boolean firstFrom(Reply reply) {
        if (answered == null) {
            answered = new HashSet<>();
        }
        return answered.add(new Answer(reply.getClass(), reply.responderId(), reply.part()));
    }

    /** Takes one answer; false when it is not an answer to this kind of request (it is dropped and counted). */
    abstract boolean take(Reply reply);

    /** Whether every answer expected from {@code receivers} receivers is in. */
    abstract boolean complete(long receivers);

    /** The result once complete; throws the failure when the answers amount to one. */
    abstract T value();

    /** The failure when the time is up: says what came and what did not. */
    abstract Throwable timedOut(Duration timeout);

    /** The failure when Redis reached no receiver, or the publish failed. */
    abstract Throwable unreachable(String why);

    /** The one socket that can answer this request (when it leaves, nothing will), or null when not one. */
    String onlySocket() {
        return null;
    }

    /** The one worker run that can answer this request (when it is lost, nothing will), or null when not one. */
    WorkerRun onlyRun() {
        return null;
    }

    final void receivers(long count) {
        receivers = count;
    }

    final long receivers() {
        return receivers;
    }

    final boolean complete() {
        return receivers >= 0 && complete(receivers);
    }
}
