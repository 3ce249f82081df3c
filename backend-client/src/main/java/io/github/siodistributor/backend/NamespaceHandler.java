package io.github.siodistributor.backend;

/**
 * What the backend runtime calls for a namespace. Calls for one socket come one at a time, in the
 * order the client produced them; calls for different sockets run in parallel. Usually built from
 * a {@code @SocketNamespace} bean; implement it directly for full control.
 */
public interface NamespaceHandler {

    /**
     * The namespace, such as {@code "/chat"}, or a pattern starting with {@code ^} for dynamic namespaces,
     * such as {@code "^/game-\\d+$"}: the handler then serves every namespace whose whole name matches.
     */
    String namespace();

    /**
     * Whether this handler's calls never block, and so run on the thread that reads their events from Redis
     * rather than on the handler pool: see {@link io.github.siodistributor.backend.annotation.SocketNamespace#nonBlocking()}.
     * By default {@code false}.
     */
    default boolean nonBlocking() {
        return false;
    }

    void onConnect(IndirectSocket socket);

    /** {@code ack.requested()} tells whether the client waits for an answer. */
    void onEvent(IndirectSocket socket, String event, SocketArgs args, Ack ack);

    void onDisconnect(IndirectSocket socket, String reason);

    /**
     * This instance takes over a socket another instance of the namespace had (it died, or stopped and handed
     * its sockets over); the socket's later events come here. {@code socket} carries the handshake, rooms and
     * data the worker holds, so that a stateless backend can rebuild its context. By default nothing is done.
     *
     * @param reason {@code "backend instance lost"} or {@code "backend instance left"}
     */
    default void onRecover(RemoteSocket socket, String reason) {
    }

    /**
     * An event from another backend instance of the namespace ({@code serverSideEmit}); {@code ack.requested()}
     * tells whether the sender waits for an answer. Events of one sender come in order. By default ignored,
     * or, when the sender waits for an answer, refused so that it is told at once rather than at its timeout.
     */
    default void onServerSideEvent(IndirectNamespace namespace, String event, SocketArgs args, Ack ack) {
        if (ack.requested()) {
            throw new EventRejectedException("no handler for server-side event '" + event + "' in namespace "
                    + namespace());
        }
    }
}
