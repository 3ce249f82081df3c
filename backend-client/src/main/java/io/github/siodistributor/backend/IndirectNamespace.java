package io.github.siodistributor.backend;

import java.util.Collection;

/**
 * A Socket.IO namespace whose sockets live on distributor workers. It mirrors the server API
 * ({@code io.of("/chat")}): emits, rooms and per-socket operations travel over Redis to the workers
 * that hold the clients.
 */
public interface IndirectNamespace extends BroadcastOperator {

    /** The namespace name, for example {@code "/chat"}. */
    String name();

    /**
     * A socket of this namespace by id. Works for any id (the id names its worker); the handshake is
     * known only for sockets connected through this backend.
     */
    IndirectSocket socket(String socketId);

    /** The sockets currently connected to this namespace through this backend. */
    Collection<IndirectSocket> sockets();
}
