package io.github.siodistributor.backend.runtime;

import io.github.siodistributor.backend.BroadcastOperator;
import io.github.siodistributor.backend.IndirectNamespace;
import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.RemoteSocket;
import io.github.siodistributor.backend.SocketArgs;
import io.github.siodistributor.core.metrics.NamespaceStats;
import io.github.siodistributor.core.protocol.Handshake;
import io.github.siodistributor.core.protocol.Message.SocketInfo;
import io.github.siodistributor.core.protocol.SocketIds;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The indirect namespace: commands about selected sockets go to the broadcast channel of the namespace's
 * spec (its name, or the pattern of a dynamic namespace), commands for one socket to its owner.
 */
final class BackendNamespace implements IndirectNamespace {

    private final String name;
    private final String spec;
    private final DistributorBackend backend;
    private final Selection everyone;
    /** This backend's counters of the namespace's spec, resolved once. */
    private final NamespaceStats stats;

    /** @param statsSpec the counters it counts in: its spec's, or those of every namespace not handled here */
    BackendNamespace(String name, String spec, String statsSpec, DistributorBackend backend) {
        this.name = name;
        this.spec = spec;
        this.backend = backend;
        this.everyone = Selection.everyone(this);
        this.stats = backend.stats().of(statsSpec);
    }

    @Override
    public String name() {
        return name;
    }

    NamespaceStats stats() {
        return stats;
    }

    /** What names this namespace's channels: the name, or the pattern that serves it. */
    String spec() {
        return spec;
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
    public BroadcastOperator asVolatile() {
        return everyone.asVolatile();
    }

    @Override
    public BroadcastOperator compress(boolean compress) {
        return everyone.compress(compress);
    }

    @Override
    public BroadcastOperator timeout(Duration timeout) {
        return everyone.timeout(timeout);
    }

    @Override
    public void emit(String event, Object... args) {
        everyone.emit(event, args);
    }

    @Override
    public CompletableFuture<List<SocketArgs>> emitWithAck(String event, Object... args) {
        return everyone.emitWithAck(event, args);
    }

    @Override
    public CompletableFuture<List<RemoteSocket>> fetchSockets() {
        return everyone.fetchSockets();
    }

    @Override
    public void socketsJoin(String... rooms) {
        everyone.socketsJoin(rooms);
    }

    @Override
    public void socketsLeave(String... rooms) {
        everyone.socketsLeave(rooms);
    }

    @Override
    public void disconnectSockets(boolean close) {
        everyone.disconnectSockets(close);
    }

    @Override
    public CompletableFuture<Set<String>> allRooms() {
        return backend.allRooms(this);
    }

    @Override
    public void serverSideEmit(String event, Object... args) {
        backend.serverSideEmit(this, event, args);
    }

    @Override
    public CompletableFuture<List<SocketArgs>> serverSideEmitWithAck(Duration timeout, String event, Object... args) {
        return backend.serverSideEmitWithAck(this, DistributorBackend.requirePositive(timeout), event, args);
    }

    @Override
    public CompletableFuture<List<SocketArgs>> serverSideEmitWithAck(String event, Object... args) {
        return backend.serverSideEmitWithAck(this, null, event, args);
    }

    @Override
    public IndirectSocket socket(String socketId) {
        if (socketId == null || !SocketIds.hasRun(socketId)) {
            throw new IllegalArgumentException("'" + socketId + "' is not a distributor socket id "
                    + "(<workerId>.<20 characters>, as IndirectSocket.id() and the client's socket.id give it)");
        }
        return socketFor(socketId);
    }

    @Override
    public Collection<IndirectSocket> sockets() {
        return List.copyOf(backend.socketsIn(name).values());
    }

    BackendSocket socketFor(String socketId) {
        BackendSocket known = backend.socketsIn(name).get(socketId);
        return known != null ? known : new BackendSocket(socketId, null, this);
    }

    /** A socket that connected through this instance, or null when one with its id is held here already. */
    BackendSocket connected(String socketId, Handshake handshake) {
        BackendSocket socket = new BackendSocket(socketId, handshake, this);
        return backend.socketConnected(this, socket, true) ? socket : null;
    }

    /**
     * A socket taken over from another instance: its later handlers get this one, so that they see the data its
     * worker held (the other instance's {@code setData}) and what the recover handler sets on it.
     */
    FetchedSocket recovered(SocketInfo info) {
        FetchedSocket socket = new FetchedSocket(info, this);
        backend.socketConnected(this, socket, false);
        return socket;
    }

    DistributorBackend backend() {
        return backend;
    }

    @Override
    public String toString() {
        return "IndirectNamespace[" + name + "]";
    }
}
