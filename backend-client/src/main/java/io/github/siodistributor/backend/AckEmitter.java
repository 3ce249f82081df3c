package io.github.siodistributor.backend;

import java.util.concurrent.CompletableFuture;

/** Emits that wait for the client's acknowledgement. */
public interface AckEmitter {

    /**
     * Emits an event and completes with the arguments of the client's ack. Completes exceptionally with
     * {@link SocketAckException} when no answer will come (the socket is gone, or too many are waiting),
     * and with {@link AckTimeoutException} when a timeout was set and passed. Callbacks run on the
     * backend's completion threads, never on a Redis or handler thread, so a handler may {@code join()} it, but
     * for the socket's own connect handler: its client is connected once that handler returns, so waiting there
     * throws {@link IllegalStateException} at once.
     */
    CompletableFuture<SocketArgs> emitWithAck(String event, Object... args);
}
