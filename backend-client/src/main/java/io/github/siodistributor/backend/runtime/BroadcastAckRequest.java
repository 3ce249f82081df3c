package io.github.siodistributor.backend.runtime;

import io.github.siodistributor.backend.IncompleteAcksException;
import io.github.siodistributor.backend.SocketArgs;
import io.github.siodistributor.core.protocol.Message.BroadcastSent;
import io.github.siodistributor.core.protocol.Message.ClientAck;
import io.github.siodistributor.core.protocol.Message.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A broadcast with ack: every worker serving the namespace says how many clients it asked
 * ({@link BroadcastSent}), then each client's answer or the reason it will not come arrives
 * ({@link ClientAck}). The two may arrive in any order.
 */
final class BroadcastAckRequest extends PendingRequest<List<SocketArgs>> {

    private final String what;
    private final Function<ClientAck, SocketArgs> decode;
    private final List<SocketArgs> answers = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private int workersReported;
    /** A sum of what workers report: a long, so that no report (a bug, a foreign message) can wrap it. */
    private long clientsAsked;

    /** @param what the emit, for messages: {@code "'event' to /chat"} */
    BroadcastAckRequest(String what, Function<ClientAck, SocketArgs> decode) {
        this.what = what;
        this.decode = decode;
    }

    @Override
    boolean take(Reply reply) {
        if (reply instanceof BroadcastSent sent) {
            workersReported++;
            clientsAsked += sent.clients();
            return true;
        }
        if (reply instanceof ClientAck ack) {
            if (ack.failed()) {
                failures.add(ack.error());
            } else {
                answers.add(decode.apply(ack));
            }
            return true;
        }
        return false;
    }

    private int expected() {
        return (int) Math.min(clientsAsked, Integer.MAX_VALUE);
    }

    @Override
    boolean complete(long receivers) {
        return workersReported >= receivers && answers.size() + failures.size() >= clientsAsked;
    }

    @Override
    List<SocketArgs> value() {
        if (!failures.isEmpty()) {
            throw new IncompleteAcksException(answers.size() + " of " + clientsAsked + " clients acknowledged " + what
                    + "; the others cannot: " + String.join("; ", failures), answers, expected(), false);
        }
        return List.copyOf(answers);
    }

    @Override
    Throwable timedOut(Duration timeout) {
        boolean counted = receivers() >= 0 && workersReported >= receivers();
        String expected = counted ? String.valueOf(clientsAsked) : "at least " + clientsAsked + " (" + workersReported
                + " of " + (receivers() < 0 ? "?" : receivers()) + " workers reported)";
        return new IncompleteAcksException(answers.size() + " of " + expected + " clients acknowledged " + what
                + " within " + timeout + (failures.isEmpty() ? "" : "; some cannot: " + String.join("; ", failures)),
                answers, counted ? expected() : -1, true);
    }

    @Override
    Throwable unreachable(String why) {
        return new IncompleteAcksException(what + " ended without the workers' answers (" + why + ")", answers, 0,
                false);
    }
}
