package io.github.siodistributor.core.protocol;

import java.util.Objects;

/**
 * The Redis channels of one deployment. Every name starts with the configured prefix so that
 * several deployments can share one Redis.
 *
 * <ul>
 *   <li>{@code <prefix>:backend:<namespace>}: workers publish a namespace's connects, events and
 *       disconnects; the namespace's backend subscribes.</li>
 *   <li>{@code <prefix>:worker:<workerId>}: backends publish per-socket commands; only the worker
 *       that owns the socket subscribes.</li>
 *   <li>{@code <prefix>:broadcast:<namespace>}: backends publish namespace and room broadcasts;
 *       every worker serving the namespace subscribes.</li>
 *   <li>{@code <prefix>:reply:<backendId>}: workers publish the clients' answers to one backend's
 *       emits with ack; only that backend subscribes.</li>
 * </ul>
 */
public record ChannelNames(String prefix) {

    public ChannelNames {
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.isBlank() || prefix.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("the channel prefix must be non-empty and contain no whitespace, got '"
                    + prefix + "'");
        }
    }

    public String backend(String namespace) {
        return prefix + ":backend:" + namespace;
    }

    public String worker(String workerId) {
        return prefix + ":worker:" + workerId;
    }

    /** Where workers answer one backend's emits with ack. */
    public String reply(String backendId) {
        return prefix + ":reply:" + backendId;
    }

    public String broadcast(String namespace) {
        return prefix + ":broadcast:" + namespace;
    }
}
