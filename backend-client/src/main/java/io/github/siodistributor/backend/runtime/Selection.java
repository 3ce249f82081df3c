package io.github.siodistributor.backend.runtime;

import io.github.siodistributor.backend.BroadcastOperator;
import io.github.siodistributor.backend.RemoteSocket;
import io.github.siodistributor.backend.SocketArgs;
import io.github.siodistributor.core.protocol.LoneSurrogates;
import io.github.siodistributor.core.protocol.Message.Broadcast;
import io.github.siodistributor.core.protocol.Message.DisconnectSockets;
import io.github.siodistributor.core.protocol.Message.SocketsJoin;
import io.github.siodistributor.core.protocol.Message.SocketsLeave;
import io.github.siodistributor.core.socketio.ReservedEvents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** An immutable selection of a namespace's sockets, with the emit flags; every operation is one publish. */
record Selection(BackendNamespace namespace, List<String> rooms, List<String> exceptRooms, boolean discardable,
        Duration timeout) implements BroadcastOperator {

    static Selection everyone(BackendNamespace namespace) {
        return new Selection(namespace, List.of(), List.of(), false, null);
    }

    @Override
    public BroadcastOperator to(String... more) {
        return new Selection(namespace, plus(rooms, more), exceptRooms, discardable, timeout);
    }

    @Override
    public BroadcastOperator except(String... more) {
        return new Selection(namespace, rooms, plus(exceptRooms, more), discardable, timeout);
    }

    @Override
    public BroadcastOperator asVolatile() {
        return new Selection(namespace, rooms, exceptRooms, true, timeout);
    }

    @Override
    public BroadcastOperator compress(boolean compress) {
        return this;
    }

    @Override
    public BroadcastOperator timeout(Duration value) {
        return new Selection(namespace, rooms, exceptRooms, discardable, DistributorBackend.requirePositive(value));
    }

    @Override
    public void emit(String event, Object... args) {
        ReservedEvents.requireEmittable(event);
        DistributorBackend backend = namespace.backend();
        namespace.stats().broadcast();
        backend.toWorkers(namespace, new Broadcast(namespace.name(), rooms, exceptRooms, event, backend.encode(args),
                discardable));
    }

    @Override
    public CompletableFuture<List<SocketArgs>> emitWithAck(String event, Object... args) {
        return namespace.backend().broadcastWithAck(this, event, args);
    }

    @Override
    public CompletableFuture<List<RemoteSocket>> fetchSockets() {
        return namespace.backend().fetchSockets(this);
    }

    @Override
    public void socketsJoin(String... join) {
        namespace.backend().toWorkers(namespace, new SocketsJoin(namespace.name(), rooms, exceptRooms,
                roomNames(join)));
    }

    @Override
    public void socketsLeave(String... leave) {
        namespace.backend().toWorkers(namespace, new SocketsLeave(namespace.name(), rooms, exceptRooms,
                roomNames(leave)));
    }

    @Override
    public void disconnectSockets(boolean close) {
        namespace.backend().toWorkers(namespace, new DisconnectSockets(namespace.name(), rooms, exceptRooms, close));
    }

    /** Room names as given, checked: none may be null, empty or hold a lone surrogate. */
    static List<String> roomNames(String[] names) {
        return plus(List.of(), names);
    }

    private static List<String> plus(List<String> current, String[] more) {
        List<String> combined = new ArrayList<>(current);
        for (String room : more) {
            if (room == null || room.isEmpty()) {
                throw new IllegalArgumentException("room names must be non-empty, got " + Arrays.toString(more));
            }
            LoneSurrogates.requireNone("the room name", room);
            if (!combined.contains(room)) {
                combined.add(room);
            }
        }
        return List.copyOf(combined);
    }

    /** The selected sockets in words, for messages: {@code "/chat rooms [a] except [b]"}. */
    @Override
    public String toString() {
        return namespace.name() + (rooms.isEmpty() ? "" : " rooms " + rooms)
                + (exceptRooms.isEmpty() ? "" : " except " + exceptRooms);
    }
}
