package io.github.siodistributor.backend.runtime;

import io.github.siodistributor.backend.AckEmitter;
import io.github.siodistributor.backend.BroadcastOperator;
import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.SocketArgs;
import io.github.siodistributor.core.protocol.Handshake;
import io.github.siodistributor.core.protocol.Message.DisconnectSocket;
import io.github.siodistributor.core.protocol.Message.EmitToSocket;
import io.github.siodistributor.core.protocol.Message.JoinRooms;
import io.github.siodistributor.core.protocol.Message.LeaveRooms;
import io.github.siodistributor.core.protocol.Message.SetSocketData;
import io.github.siodistributor.core.socketio.ReservedEvents;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** The indirect socket: every command goes to the worker named in the socket id. */
class BackendSocket implements IndirectSocket {

    private final String id;
    private final Handshake handshake;
    private final BackendNamespace namespace;
    /** What this backend set with {@link #setData}; the worker holds the JSON of it. */
    private volatile Object data;
    /**
     * Whether its connect handler turned it away: a disconnect that arrived while the handler ran then ran no
     * disconnect handler, since the socket never was connected (as with Socket.IO's middleware).
     */
    private volatile boolean refused;
    /**
     * Whether its disconnect has had its turn among its calls: an event behind it (queued by the delivery thread
     * while another thread gave the socket up) must not reach a handler after the disconnect handler.
     */
    private volatile boolean gone;
    /** Events of this socket waiting for its handlers ({@link QueuedEvents}). */
    private final AtomicInteger queuedEvents = new AtomicInteger();

    BackendSocket(String id, Handshake handshake, BackendNamespace namespace) {
        this.id = id;
        this.handshake = handshake;
        this.namespace = namespace;
    }

    void refuse() {
        refused = true;
    }

    boolean refused() {
        return refused;
    }

    void gone() {
        gone = true;
    }

    boolean isGone() {
        return gone;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public BackendNamespace namespace() {
        return namespace;
    }

    @Override
    public Handshake handshake() {
        return handshake;
    }

    @Override
    public void emit(String event, Object... args) {
        ReservedEvents.requireEmittable(event);
        DistributorBackend backend = namespace.backend();
        namespace.stats().eventsOut(1);
        backend.toOwner(new EmitToSocket(namespace.name(), id, event, backend.encode(args)));
    }

    @Override
    public CompletableFuture<SocketArgs> emitWithAck(String event, Object... args) {
        return namespace.backend().emitWithAck(namespace.name(), id, event, args, null);
    }

    @Override
    public AckEmitter timeout(Duration timeout) {
        Duration checked = DistributorBackend.requirePositive(timeout);
        return (event, args) -> namespace.backend().emitWithAck(namespace.name(), id, event, args, checked);
    }

    @Override
    public void join(String... rooms) {
        namespace.backend().toOwner(new JoinRooms(namespace.name(), id, Selection.roomNames(rooms)));
    }

    @Override
    public void leave(String... rooms) {
        namespace.backend().toOwner(new LeaveRooms(namespace.name(), id, Selection.roomNames(rooms)));
    }

    @Override
    public void disconnect(boolean close) {
        namespace.backend().toOwner(new DisconnectSocket(namespace.name(), id, close));
    }

    @Override
    public void setData(Object value) {
        DistributorBackend backend = namespace.backend();
        byte[] json = backend.mapper().writeValueAsBytes(value);
        backend.requireSocketDataFits(json.length);
        backend.toOwner(new SetSocketData(namespace.name(), id, json));
        data = value;
    }

    @Override
    public Object data() {
        return data;
    }

    @Override
    public <T> T data(Class<T> type) {
        Object value = data();
        return value == null ? null : namespace.backend().mapper().convertValue(value, type);
    }

    @Override
    public <T> T auth(Class<T> type) {
        Handshake shake = handshake();
        return shake == null ? null : namespace.backend().mapper().readValue(shake.auth(), type);
    }

    @Override
    public BroadcastOperator broadcast() {
        // every socket is in the room named by its own id, as in Socket.IO
        return namespace.except(id);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName().replace("Backend", "Indirect") + "[" + namespace.name() + " " + id + "]";
    }

    AtomicInteger queuedEvents() {
        return queuedEvents;
    }
}
