package io.github.siodistributor.backend.runtime;

import io.github.siodistributor.backend.AckEmitter;
import io.github.siodistributor.backend.BroadcastOperator;
import io.github.siodistributor.backend.IndirectNamespace;
import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.SocketArgs;
import io.github.siodistributor.core.protocol.Handshake;
import io.github.siodistributor.core.protocol.Message.DisconnectSocket;
import io.github.siodistributor.core.protocol.Message.EmitToSocket;
import io.github.siodistributor.core.protocol.Message.JoinRooms;
import io.github.siodistributor.core.protocol.Message.LeaveRooms;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The indirect socket: every command goes to the worker named in the socket id. */
final class BackendSocket implements IndirectSocket {

    private final String id;
    private final Handshake handshake;
    private final BackendNamespace namespace;

    BackendSocket(String id, Handshake handshake, BackendNamespace namespace) {
        this.id = id;
        this.handshake = handshake;
        this.namespace = namespace;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public IndirectNamespace namespace() {
        return namespace;
    }

    @Override
    public Handshake handshake() {
        return handshake;
    }

    @Override
    public void emit(String event, Object... args) {
        DistributorBackend backend = namespace.backend();
        backend.toOwner(new EmitToSocket(namespace.name(), id, event, backend.encode(args)));
    }

    @Override
    public CompletableFuture<SocketArgs> emitWithAck(String event, Object... args) {
        return namespace.backend().emitWithAck(namespace.name(), id, event, args, null);
    }

    @Override
    public AckEmitter timeout(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("an ack timeout must be positive, got " + timeout);
        }
        return (event, args) -> namespace.backend().emitWithAck(namespace.name(), id, event, args, timeout);
    }

    @Override
    public void join(String... rooms) {
        namespace.backend().toOwner(new JoinRooms(namespace.name(), id, rooms(rooms)));
    }

    @Override
    public void leave(String... rooms) {
        namespace.backend().toOwner(new LeaveRooms(namespace.name(), id, rooms(rooms)));
    }

    @Override
    public void disconnect() {
        namespace.backend().toOwner(new DisconnectSocket(namespace.name(), id));
    }

    @Override
    public BroadcastOperator broadcast() {
        // every socket is in the room named by its own id, as in Socket.IO
        return namespace.except(id);
    }

    private static List<String> rooms(String[] rooms) {
        for (String room : rooms) {
            if (room == null || room.isEmpty()) {
                throw new IllegalArgumentException("room names must be non-empty");
            }
        }
        return List.of(rooms);
    }

    @Override
    public String toString() {
        return "IndirectSocket[" + namespace.name() + " " + id + "]";
    }
}
