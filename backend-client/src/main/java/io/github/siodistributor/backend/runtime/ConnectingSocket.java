package io.github.siodistributor.backend.runtime;

/**
 * The socket whose connect handler runs on this thread. Its client is connected only once the handler returns
 * (the worker holds what is sent to it until then), so the handler must not wait for that socket's ack.
 */
final class ConnectingSocket {

    private static final ThreadLocal<String> RUNNING = new ThreadLocal<>();

    private ConnectingSocket() {
    }

    /** Runs {@code handler} as the connect handler of {@code socketId}. */
    static void run(String socketId, Runnable handler) {
        String outer = RUNNING.get();
        RUNNING.set(socketId);
        try {
            handler.run();
        } finally {
            if (outer == null) {
                RUNNING.remove();
            } else {
                RUNNING.set(outer);
            }
        }
    }

    /** Throws when this thread runs the connect handler of {@code socketId}, which is about to wait for its ack. */
    static void refuseWaitFor(String socketId) {
        if (socketId != null && socketId.equals(RUNNING.get())) {
            throw new IllegalStateException("The connect handler of socket " + socketId + " waits for that socket's "
                    + "ack, which cannot come before the client is connected, once the handler has returned: chain on "
                    + "the future instead of join() or get() (thenAccept, whenComplete), or ask from a later handler");
        }
    }
}
