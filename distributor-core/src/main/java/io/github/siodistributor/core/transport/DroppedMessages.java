package io.github.siodistributor.core.transport;

import io.github.siodistributor.core.protocol.LoggedText;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts what a subscriber had to drop, by cause, and logs it at a bounded rate: a flood of
 * garbage on a channel must neither crash the subscriber loop nor flood the log.
 */
public final class DroppedMessages {

    /** Why a message was dropped. */
    public enum Cause {
        /** Not a v1 envelope: foreign data, another version, a truncated or oversized field. */
        MALFORMED,
        /** A well-formed message on a channel it does not belong to (wrong namespace or type). */
        MISROUTED,
        /**
         * A per-socket command for a socket the worker does not (or no longer) hold, or a socket's event for a backend
         * instance that does not (or no longer) hold it.
         */
        UNKNOWN_SOCKET,
        /** The handler of a well-formed message failed. */
        HANDLER_FAILED,
        /**
         * A client went over a limit (events waiting for a backend instance or for their handlers, unanswered acks, a
         * socket's description) and was answered with an error instead.
         */
        LIMIT_EXCEEDED,
        /** An answer (a client's ack, a fetch result) for a request that had already finished, by timeout or failure. */
        LATE_REPLY,
        /**
         * A second answer from one responder to one request: Redis delivered a publish twice (Lettuce resends a
         * command whose answer a reconnect cut off). Taking it would count one answer twice.
         */
        DUPLICATE_REPLY,
        /** A socket's activity with no backend instance to take it, under the policy that disconnects such sockets. */
        NO_BACKEND,
        /**
         * A publish that did not reach Redis: refused during an outage (policy {@code reject}, or the outage buffer
         * full), or failed by Redis or the connection.
         */
        REDIS_UNAVAILABLE,
        /**
         * A publish refused while the connection to Redis was up, because Redis had not yet answered as many earlier
         * ones as the limit allows ({@link OutageSettings#limit()}): this process or Redis cannot keep up.
         */
        REDIS_BACKLOG,
        /**
         * A publish refused because its message is larger than the bus allows ({@link MessageTooLargeException}):
         * Redis would have disconnected the subscribers it went to.
         */
        TOO_LARGE,
        /**
         * A backend's command for a socket that its worker did not hear: PUBLISH on the worker's channel reached nobody
         * again and again for 10 s (the worker is gone), 1,000 commands already waited for the socket, or the backend
         * closed while it waited.
         */
        WORKER_UNREACHABLE
    }

    private static final Logger log = LoggerFactory.getLogger(DroppedMessages.class);
    private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

    /** Filled once, read only after: one count and one log slot per cause. */
    private final Map<Cause, Drops> drops = new EnumMap<>(Cause.class);

    /**
     * A cause's drops: how many, when it may be logged next, and how many were not logged since its last report (a
     * flood of one cause must not hide the first drop of another).
     */
    private record Drops(LongAdder count, AtomicLong nextLogAt, LongAdder unlogged) {
    }

    public DroppedMessages() {
        long now = System.nanoTime();
        for (Cause cause : Cause.values()) {
            drops.put(cause, new Drops(new LongAdder(), new AtomicLong(now), new LongAdder()));
        }
    }

    public void record(Cause cause, String channel, String detail) {
        if (cause == Cause.LATE_REPLY) {
            // an answer after its timeout is part of normal operation (Socket.IO drops it silently)
            recordExpected(cause, channel, detail);
            return;
        }
        record(cause, channel, detail, 1);
    }

    /** {@code messages} dropped at once for one reason: counted each, told in one line (which says how many). */
    public void record(Cause cause, String channel, String detail, long messages) {
        Drops slot = drops.get(cause);
        slot.count().add(messages);
        long now = System.nanoTime();
        long due = slot.nextLogAt().get();
        if (now - due >= 0 && slot.nextLogAt().compareAndSet(due, now + LOG_INTERVAL_NANOS)) {
            long suppressed = slot.unlogged().sumThenReset();
            log.warn("Dropped a message on channel {} ({}): {}{}", shortened(channel), cause, shortened(detail),
                    suppressed > 0 ? " (" + suppressed + " more " + cause + " since the last report)" : "");
        } else {
            slot.unlogged().increment();
        }
    }

    /**
     * A drop that normal operation makes (a command for a socket whose client just left, an answer after its
     * timeout): counted as any, but logged at DEBUG only, not worth a warning, nor the warning slot of the drops that
     * are.
     */
    public void recordExpected(Cause cause, String channel, String detail) {
        drops.get(cause).count().increment();
        if (log.isDebugEnabled()) {
            log.debug("Dropped a message on channel {} ({}): {}", shortened(channel), cause, shortened(detail));
        }
    }

    /** A channel or detail as it is logged: both come from the message, as large as it is, names chosen by clients. */
    private static LoggedText shortened(String text) {
        return LoggedText.of(text);
    }

    public long count(Cause cause) {
        return drops.get(cause).count().sum();
    }

    public long total() {
        return drops.values().stream().mapToLong(cause -> cause.count().sum()).sum();
    }
}
