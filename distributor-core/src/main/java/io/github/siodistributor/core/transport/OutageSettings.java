package io.github.siodistributor.core.transport;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link RedisMessageBus} rides out a Redis outage.
 *
 * @param policy what happens to a publish while Redis is unreachable
 * @param limit how many publishes may be held or waiting for Redis's answer at once; over it a publish fails at
 *        once, whatever the policy, so that an outage or a Redis that stopped answering cannot grow memory without
 *        bound
 * @param resubscribeGrace after Redis is back, how long a held publish that reaches no subscriber is tried again:
 *        the other processes reconnect and resubscribe on their own schedule, and a message published before
 *        they did would be lost
 */
public record OutageSettings(OutagePolicy policy, int limit, Duration resubscribeGrace) {

    public static final int DEFAULT_LIMIT = 10_000;
    public static final Duration DEFAULT_RESUBSCRIBE_GRACE = Duration.ofSeconds(5);

    public OutageSettings {
        Objects.requireNonNull(policy, "policy");
        if (limit < 1) {
            throw new IllegalArgumentException("the outage buffer limit must be at least 1, got " + limit);
        }
        if (resubscribeGrace == null || resubscribeGrace.isNegative()) {
            throw new IllegalArgumentException("the resubscribe grace must be zero or positive, got "
                    + resubscribeGrace);
        }
    }

    /** Buffer up to {@value #DEFAULT_LIMIT} publishes, retried for 5 s after Redis is back. */
    public static OutageSettings defaults() {
        return new OutageSettings(OutagePolicy.BUFFER, DEFAULT_LIMIT, DEFAULT_RESUBSCRIBE_GRACE);
    }
}
