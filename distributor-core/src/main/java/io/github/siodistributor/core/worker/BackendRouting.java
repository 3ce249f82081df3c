package io.github.siodistributor.core.worker;

import java.time.Duration;
import java.util.Objects;

/**
 * How a worker routes sockets to backend instances and heals when an instance goes.
 *
 * @param checkInterval how often the worker reads the backend registry (dead instances are found at most
 *        this long after their heartbeat expired)
 * @param lossGrace how long an instance whose registry entry vanished (Redis lost its data) may take to
 *        announce itself again before its sockets move
 * @param whenNoBackend what happens to a namespace's sockets while no instance serves it
 * @param heldEventsLimit how many events one socket may have waiting for an instance; more are refused
 * @param heldEventsSize how many bytes of events all the worker's sockets together may have waiting; more are
 *        refused: the count per socket alone would let each socket hold a hundred of the largest events
 * @param handoverTimeout how long a leaving instance has to let a socket go before the socket moves anyway
 */
public record BackendRouting(Duration checkInterval, Duration lossGrace, WhenNoBackend whenNoBackend,
        int heldEventsLimit, long heldEventsSize, Duration handoverTimeout) {

    /** What a worker does with a socket while no backend instance serves its namespace. */
    public enum WhenNoBackend {
        /** Keep the socket; hold up to {@code heldEventsLimit} of its events until an instance comes. */
        HOLD,
        /** Disconnect the socket (and refuse new ones) with a reason that says no backend serves the namespace. */
        DISCONNECT
    }

    /** 64 MiB. */
    public static final long DEFAULT_HELD_EVENTS_SIZE = 64L * 1024 * 1024;

    public BackendRouting {
        requirePositive(checkInterval, "checkInterval");
        requirePositive(lossGrace, "lossGrace");
        requirePositive(handoverTimeout, "handoverTimeout");
        Objects.requireNonNull(whenNoBackend, "whenNoBackend");
        if (heldEventsLimit < 1) {
            throw new IllegalArgumentException("the held events limit must be at least 1, got " + heldEventsLimit);
        }
        if (heldEventsSize < 1) {
            throw new IllegalArgumentException("the held events size must be at least 1 byte, got " + heldEventsSize);
        }
    }

    /** Registry read every second, 3 s grace, hold up to 100 events per socket and 64 MiB in all, 10 s hand-over. */
    public static BackendRouting defaults() {
        return new BackendRouting(Duration.ofSeconds(1), Duration.ofSeconds(3), WhenNoBackend.HOLD, 100,
                DEFAULT_HELD_EVENTS_SIZE, Duration.ofSeconds(10));
    }

    private static void requirePositive(Duration value, String name) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
