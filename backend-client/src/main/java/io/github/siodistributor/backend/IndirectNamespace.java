package io.github.siodistributor.backend;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A Socket.IO namespace whose sockets live on distributor workers. It mirrors the server API
 * ({@code io.of("/chat")}): emits, rooms and per-socket operations travel over Redis to the workers
 * that hold the clients.
 */
public interface IndirectNamespace extends BroadcastOperator {

    /** The namespace name, for example {@code "/chat"} (for a dynamic namespace, the name the client used). */
    String name();

    /**
     * A socket of this namespace by id. Works for any id (the id names its worker); the handshake is
     * known only for sockets connected through this backend.
     */
    IndirectSocket socket(String socketId);

    /** The sockets currently connected to this namespace through this backend. */
    Collection<IndirectSocket> sockets();

    /**
     * The rooms of the namespace that have members, on every worker (as the Redis adapter's
     * {@code allRooms()}); the room each socket has under its own id is left out.
     */
    CompletableFuture<Set<String>> allRooms();

    /** Emits an event to the other backend instances serving this namespace (their {@code @OnServerSideEvent}). */
    void serverSideEmit(String event, Object... args);

    /**
     * Emits to the other backend instances and completes with each one's answer, waiting at most
     * {@code timeout}; completes exceptionally with {@link IncompleteAcksException} when some did not
     * answer in time.
     */
    CompletableFuture<List<SocketArgs>> serverSideEmitWithAck(Duration timeout, String event, Object... args);

    /** As {@link #serverSideEmitWithAck(Duration, String, Object...)} with {@code distributor.backend.request-timeout}. */
    CompletableFuture<List<SocketArgs>> serverSideEmitWithAck(String event, Object... args);
}
