package io.github.siodistributor.backend.runtime;

import io.github.siodistributor.backend.BroadcastOperator;
import io.github.siodistributor.backend.IndirectNamespace;
import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.core.protocol.Handshake;
import io.github.siodistributor.core.protocol.Message.Broadcast;
import io.github.siodistributor.core.protocol.SocketIds;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The indirect namespace: broadcasts go to the namespace's broadcast channel, socket commands to their owner. */
final class BackendNamespace implements IndirectNamespace {

    private final String name;
    private final DistributorBackend backend;
    private final BroadcastOperator everyone;
    /** Sockets connected through this backend, with their handshakes. */
    private final Map<String, BackendSocket> connected = new ConcurrentHashMap<>();

    BackendNamespace(String name, DistributorBackend backend) {
        this.name = name;
        this.backend = backend;
        this.everyone = new Selection(List.of(), List.of(), this::publishBroadcast);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public BroadcastOperator to(String... rooms) {
        return everyone.to(rooms);
    }

    @Override
    public BroadcastOperator except(String... rooms) {
        return everyone.except(rooms);
    }

    @Override
    public void emit(String event, Object... args) {
        everyone.emit(event, args);
    }

    @Override
    public IndirectSocket socket(String socketId) {
        if (socketId == null || SocketIds.workerOf(socketId) == null) {
            throw new IllegalArgumentException("'" + socketId + "' is not a distributor socket id "
                    + "(<workerId>.<uuid>, as IndirectSocket.id() and the client's socket.id give it)");
        }
        return socketFor(socketId);
    }

    @Override
    public Collection<IndirectSocket> sockets() {
        return List.copyOf(connected.values());
    }

    BackendSocket socketFor(String socketId) {
        BackendSocket known = connected.get(socketId);
        return known != null ? known : new BackendSocket(socketId, null, this);
    }

    BackendSocket connected(String socketId, Handshake handshake) {
        BackendSocket socket = new BackendSocket(socketId, handshake, this);
        connected.put(socketId, socket);
        return socket;
    }

    BackendSocket disconnected(String socketId) {
        BackendSocket socket = connected.remove(socketId);
        return socket != null ? socket : new BackendSocket(socketId, null, this);
    }

    DistributorBackend backend() {
        return backend;
    }

    void publishBroadcast(List<String> rooms, List<String> exceptRooms, String event, Object[] args) {
        backend.broadcast(new Broadcast(name, rooms, exceptRooms, event, backend.encode(args)));
    }

    @Override
    public String toString() {
        return "IndirectNamespace[" + name + "]";
    }
}
