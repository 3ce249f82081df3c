package io.github.siodistributor.backend;

import io.github.siodistributor.core.protocol.Handshake;

/** One client's connection to a namespace, held by some worker; every call goes to that worker only. */
public interface IndirectSocket {

    /** The socket id, equal to the client's {@code socket.id}. */
    String id();

    IndirectNamespace namespace();

    /** The connect handshake, or {@code null} when this backend did not see the socket connect. */
    Handshake handshake();

    /** Emits an event to this client. */
    void emit(String event, Object... args);

    /** Puts the socket into rooms. */
    void join(String... rooms);

    /** Takes the socket out of rooms. */
    void leave(String... rooms);

    /** Disconnects the socket from the namespace (the client sees "io server disconnect"). */
    void disconnect();

    /** Everyone in the namespace but this socket, as {@code socket.broadcast}. */
    BroadcastOperator broadcast();
}
