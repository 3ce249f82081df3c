package io.github.siodistributor.backend.runtime;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the client events that wait for their socket's handlers on this instance: a count per socket, and bytes
 * for the whole instance. A worker forwards a client's events as fast as they come, so a client that sends faster
 * than its handlers run (or a handler that stalls) would otherwise grow this instance's heap without end.
 */
final class QueuedEvents {

    static final int DEFAULT_LIMIT = 1000;
    static final long DEFAULT_BYTE_LIMIT = 64L * 1024 * 1024;

    private final int limit;
    private final long byteLimit;
    private final AtomicLong bytes = new AtomicLong();

    QueuedEvents(int limit, long byteLimit) {
        if (limit < 1 || byteLimit < 1) {
            throw new IllegalArgumentException("the queued events limits must be at least 1, got " + limit + " events "
                    + "per socket and " + byteLimit + " bytes");
        }
        this.limit = limit;
        this.byteLimit = byteLimit;
    }

    /** Takes an event of {@code size} bytes into {@code socket}'s queue, or says why not (null when taken). */
    String admit(BackendSocket socket, int size) {
        int queued = socket.queuedEvents().incrementAndGet();
        if (queued > limit) {
            socket.queuedEvents().decrementAndGet();
            return "socket " + socket.id() + " already has " + limit + " events waiting for its handlers "
                    + "(distributor.backend.queued-events-limit)";
        }
        long taken = bytes.addAndGet(size);
        // one event larger than the whole budget still goes when nothing else waits
        if (taken > byteLimit && taken != size) {
            bytes.addAndGet(-size);
            socket.queuedEvents().decrementAndGet();
            return "this backend instance already has " + (taken - size) + " bytes of events waiting for their "
                    + "handlers (distributor.backend.queued-events-size, " + byteLimit + " bytes)";
        }
        return null;
    }

    /** The event's handler starts: it no longer waits. */
    void started(BackendSocket socket, int size) {
        socket.queuedEvents().decrementAndGet();
        bytes.addAndGet(-size);
    }

    /** Bytes of events waiting, all sockets together. */
    long bytes() {
        return bytes.get();
    }
}
