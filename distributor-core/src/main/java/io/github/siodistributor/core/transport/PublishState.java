package io.github.siodistributor.core.transport;

/**
 * Where a {@link RedisMessageBus}'s publishing stands, for health reports and tests.
 *
 * @param phase whether publishes go straight to Redis
 * @param held how many publishes wait for Redis (held during an outage, or in line behind one that is being
 *        retried after it)
 */
public record PublishState(Phase phase, int held) {

    /** The publishing side of a bus over an outage. */
    public enum Phase {
        /** Not started, or stopped. */
        STOPPED,
        /** Publishes go straight to Redis. */
        CONNECTED,
        /** Redis is unreachable: publishes are held or refused, per the {@link OutagePolicy}. */
        OUTAGE,
        /**
         * Redis is back: held publishes go out in order, and for the resubscribe grace one that reaches no
         * subscriber is tried again before those behind it.
         */
        RECOVERING
    }
}
