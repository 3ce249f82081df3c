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
 * @param byteLimit how many bytes of messages may be held or waiting for Redis's answer at once, likewise: the
 *        count alone would let 10,000 messages of a megabyte each be held
 * @param resubscribeGrace after Redis is back, how long a held publish that reaches no subscriber is tried again:
 *        the other processes reconnect and resubscribe on their own schedule, and a message published before
 *        they did would be lost
 */
public record OutageSettings(OutagePolicy policy, int limit, long byteLimit, Duration resubscribeGrace) {

    public static final int DEFAULT_LIMIT = 10_000;
    /** 64 MiB. */
    public static final long DEFAULT_BYTE_LIMIT = 64L * 1024 * 1024;
    public static final Duration DEFAULT_RESUBSCRIBE_GRACE = Duration.ofSeconds(5);

    public OutageSettings {
        Objects.requireNonNull(policy, "policy");
        if (limit < 1) {
            throw new IllegalArgumentException("the outage buffer limit must be at least 1, got " + limit);
        }
        if (byteLimit < 1) {
            throw new IllegalArgumentException("the outage buffer size must be at least 1 byte, got " + byteLimit);
        }
        if (resubscribeGrace == null || resubscribeGrace.isNegative()) {
            throw new IllegalArgumentException("the resubscribe grace must be zero or positive, got "
                    + resubscribeGrace);
        }
    }

    /** With the default byte limit ({@value #DEFAULT_BYTE_LIMIT} bytes). */
    public OutageSettings(OutagePolicy policy, int limit, Duration resubscribeGrace) {
        this(policy, limit, DEFAULT_BYTE_LIMIT, resubscribeGrace);
    }

    /** Buffer up to {@value #DEFAULT_LIMIT} publishes of 64 MiB in all, retried for 5 s after Redis is back. */
    public static OutageSettings defaults() {
        return new OutageSettings(OutagePolicy.BUFFER, DEFAULT_LIMIT, DEFAULT_BYTE_LIMIT, DEFAULT_RESUBSCRIBE_GRACE);
    }
}
