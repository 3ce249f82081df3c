package io.github.siodistributor.backend;

import io.github.siodistributor.core.protocol.Handshake;

/**
 * One client's connection to a namespace, held by some worker; every call goes to that worker only.
 * {@link #emitWithAck} waits without a time limit (it still fails when the socket goes);
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
    void disconnect();

    /** Everyone in the namespace but this socket, as {@code socket.broadcast}. */
    BroadcastOperator broadcast();
}
