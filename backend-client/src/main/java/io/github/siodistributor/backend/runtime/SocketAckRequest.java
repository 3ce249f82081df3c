package io.github.siodistributor.backend.runtime;

import io.github.siodistributor.backend.AckTimeoutException;
import io.github.siodistributor.backend.SocketAckException;
import io.github.siodistributor.backend.SocketArgs;
import io.github.siodistributor.core.protocol.Message.ClientAck;
import io.github.siodistributor.core.protocol.Message.Reply;
import io.github.siodistributor.core.protocol.SocketIds;
import io.github.siodistributor.core.protocol.WorkerRun;
import java.time.Duration;
import java.util.function.Function;

/** An emit with ack to one socket: one answer, from the socket's worker. */
final class SocketAckRequest extends PendingRequest<SocketArgs> {

    private final String socketId;
    private final String event;
    private final Function<ClientAck, SocketArgs> decode;
    private ClientAck answer;

    SocketAckRequest(String socketId, String event, Function<ClientAck, SocketArgs> decode) {
        super(socketId);
        this.socketId = socketId;
        this.event = event;
        this.decode = decode;
    }

    @Override
    boolean take(Reply reply) {
        if (!(reply instanceof ClientAck ack) || !ack.socketId().equals(socketId) || answer != null) {
            return false;
        }
        answer = ack;
        return true;
    }

    @Override
    boolean complete(long receivers) {
        return answer != null;
    }

    @Override
    SocketArgs value() {
        if (answer.failed()) {
            throw new SocketAckException(answer.error());
        }
        return decode.apply(answer);
    }

    @Override
    Throwable timedOut(Duration timeout) {
        return new AckTimeoutException("socket " + socketId + " did not acknowledge '" + event + "' within " + timeout);
    }

    @Override
    boolean firstFrom(Reply reply) {
        return true; // one answer completes it: a second finds it gone (and is counted late)
    }

    @Override
    String onlySocket() {
        return socketId;
    }

    @Override
    WorkerRun onlyRun() {
        return SocketIds.runOf(socketId);
    }

    @Override
    Throwable unreachable(String why) {
        // why: no receiver (its worker is not listening), worker lost, Redis refused the request, the backend closed
        return new SocketAckException("socket " + socketId + " cannot acknowledge '" + event + "' (" + why + ")");
    }
}
