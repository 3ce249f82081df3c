package io.github.siodistributor.backend;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A selection of a namespace's sockets, on every worker: everyone, or the sockets in some rooms, minus
 * the sockets in excluded rooms; as Socket.IO's {@code BroadcastOperator}. Immutable: each call returns a
 * new selection. Every operation is one Redis publish, whatever the number of clients and workers.
 */
public interface BroadcastOperator {

    /** Adds rooms to the selection (sockets in any of them). */
    BroadcastOperator to(String... rooms);

    /** Same as {@link #to}, named as in Socket.IO. */
    default BroadcastOperator in(String... rooms) {
        return to(rooms);
    }

    /** Excludes the sockets in any of these rooms. */
    BroadcastOperator except(String... rooms);

    /**
     * Socket.IO's {@code volatile}: emits may be dropped for clients that cannot take them at once (a
     * WebSocket with a full outbound buffer, or a long-polling client with no request waiting), as for
     * frequent updates where only the latest matters.
     */
    BroadcastOperator asVolatile();

    /**
     * Socket.IO's {@code compress}. Kept for porting: workers never compress packets (no WebSocket
     * permessage-deflate, no gzip of polling responses), so every emit already behaves as
     * {@code compress(false)}.
     */
    BroadcastOperator compress(boolean compress);

    /**
     * How long {@link #emitWithAck} and {@link #fetchSockets} wait for all answers; without it they wait
     * for {@code distributor.backend.request-timeout} (5 s by default).
     */
    BroadcastOperator timeout(Duration timeout);

    /** Emits an event with arguments (encoded by Jackson) to the selected sockets. */
    void emit(String event, Object... args);

    /**
     * Emits to the selected sockets and completes with every client's ack, whichever worker holds it.
     * Each worker reports how many clients it asked, then their answers. Completes exceptionally with
     * {@link IncompleteAcksException} (carrying the answers that did come) when the timeout passes first,
     * or when some client can no longer answer (it disconnected, or has too many acks waiting). Callbacks
     * run on the backend's completion threads (a handler may {@code join()} the result).
     */
    CompletableFuture<List<SocketArgs>> emitWithAck(String event, Object... args);

    /**
     * The selected sockets with their handshake, rooms and data, from every worker; completes
     * exceptionally with a {@link java.util.concurrent.TimeoutException} when some worker did not answer
     * in time.
     */
    CompletableFuture<List<RemoteSocket>> fetchSockets();

    /** Puts the selected sockets into rooms. */
    void socketsJoin(String... rooms);

    /** Takes the selected sockets out of rooms. */
    void socketsLeave(String... rooms);

    /**
     * Disconnects the selected sockets from the namespace; with {@code close}, ends their clients' whole
     * connections (every namespace).
     */
    void disconnectSockets(boolean close);

    /** Disconnects the selected sockets from the namespace, as {@code disconnectSockets(false)}. */
    default void disconnectSockets() {
        disconnectSockets(false);
    }
}
