package io.github.siodistributor.backend;

import io.github.siodistributor.core.protocol.Handshake;

/**
 * One client's connection to a namespace, held by some worker; every call goes to that worker only.
 * {@link #emitWithAck} waits without a time limit (it still fails when the socket goes, or its worker is lost);
 * {@code timeout(d).emitWithAck(...)} gives up after {@code d}, as Socket.IO's {@code socket.timeout(d)}.
 */
public interface IndirectSocket extends AckEmitter {

    /** The socket id, equal to the client's {@code socket.id}. */
    String id();

    IndirectNamespace namespace();

    /** The connect handshake, or {@code null} when this backend did not see the socket connect. */
    Handshake handshake();

    /** Emits an event to this client. */
    void emit(String event, Object... args);

    /** Emits that fail with {@link AckTimeoutException} when the client has not answered within {@code timeout}. */
    AckEmitter timeout(java.time.Duration timeout);

    /** Puts the socket into rooms. */
    void join(String... rooms);

    /** Takes the socket out of rooms. */
    void leave(String... rooms);

    /** Disconnects the socket from the namespace (the client sees "io server disconnect"). */
    default void disconnect() {
        disconnect(false);
    }

    /** Disconnects the socket from the namespace; with {@code close}, ends the client's whole connection. */
    void disconnect(boolean close);

    /** Everyone in the namespace but this socket, as {@code socket.broadcast}. */
    BroadcastOperator broadcast();

    /** The sockets in these rooms but this one, as {@code socket.to(room)}. */
    default BroadcastOperator to(String... rooms) {
        return broadcast().to(rooms);
    }

    /**
     * Sets the socket's {@code data}, as Socket.IO's {@code socket.data = ...}: the worker keeps it (as
     * JSON) with the socket, so {@code fetchSockets()} from any backend instance returns it.
     */
    void setData(Object data);

    /**
     * The socket's data: what this backend set, or for a {@link RemoteSocket} what its worker held
     * (decoded from JSON as maps, lists, strings and numbers); {@code null} when none.
     */
    Object data();

    /** The socket's data converted by Jackson to {@code type}; {@code null} when none. */
    <T> T data(Class<T> type);

    /**
     * The client's {@code auth} (Socket.IO's {@code socket.handshake.auth}) converted by Jackson to {@code type}; an
     * empty object when the client sent none, {@code null} when this backend has no handshake of the socket. The
     * client chose it: one that does not fit {@code type} fails with Jackson's exception (a connect handler that
     * lets it through refuses the client with {@code "internal error"}).
     */
    <T> T auth(Class<T> type);
}
