package io.github.siodistributor.core.protocol;

import java.util.Objects;

/**
 * The Redis channels of one deployment. Every name starts with the configured prefix so that
 * several deployments can share one Redis.
 *
 * <ul>
 *   <li>{@code <prefix>:instance:<backendId>}: workers publish the connects, events and disconnects of
 *       the sockets assigned to one backend instance; only that instance subscribes.</li>
 *   <li>{@code <prefix>:instances}: backend instances announce that they serve a namespace or are
 *       leaving; every worker subscribes. The live set itself is the sorted set
 *       {@code <prefix>:registry:<namespace>} (see {@code BackendRegistry}).</li>
 *   <li>{@code <prefix>:worker:<workerId>}: backends publish per-socket commands; only the worker
 *       that owns the socket subscribes.</li>
 *   <li>{@code <prefix>:broadcast:<namespace>}: backends publish namespace and room broadcasts;
 *       every worker serving the namespace subscribes.</li>
 *   <li>{@code <prefix>:reply:<backendId>}: workers and backends publish the answers to one backend's
 *       requests (client acks, fetched sockets and rooms, server-side acks); only that backend subscribes.</li>
 *   <li>{@code <prefix>:peers:<namespace>}: the backend instances of a namespace talk to each other
 *       (server-side emits); they all subscribe.</li>
 *   <li>{@code <prefix>:custom:<topic>}: the application's own messages ({@code CustomMessages}).</li>
 *   <li>{@code <prefix>:probe:<busId>}: one process's check that its own subscription delivers; only it
 *       publishes and subscribes there.</li>
 * </ul>
 * For a dynamic namespace, {@code <namespace>} is the pattern that matches it (see {@link ServedNamespaces}).
 */
public record ChannelNames(String prefix) {

    public ChannelNames {
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.isBlank() || prefix.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("the channel prefix must be non-empty and contain no whitespace, got '"
                    + prefix + "'");
        }
    }

    /** Where the sockets assigned to one backend instance send their activity. */
    public String instance(String backendId) {
        return prefix + ":instance:" + backendId;
    }

    /** Where backend instances announce themselves and their leaving to the workers. */
    public String instances() {
        return prefix + ":instances";
    }

    /** The sorted set of the live backend instances of a namespace spec, scored by heartbeat expiry. */
    public String instanceRegistry(String namespace) {
        return prefix + ":registry:" + namespace;
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

    /** Where the backend instances of a namespace reach each other. */
    public String peers(String namespace) {
        return prefix + ":peers:" + namespace;
    }

    /** The key a live worker keeps with a TTL: its lease on its id. */
    public String workerLease(String workerId) {
        return prefix + ":lease:worker:" + workerId;
    }

    /**
     * The key a backend sets when it gave a worker run's sockets up because its lease was missing (or held by
     * another run): should that run come back (it was paused, or cut off from Redis), it finds the key and sends
     * its clients away. One key per run, so that the losses of two runs of a worker never overwrite each other.
     */
    public String workerLoss(WorkerRun run) {
        return prefix + ":lost:worker:" + run.workerId() + ":" + run.runId();
    }

    /**
     * The hash of the workers that gateways may send clients to: field = worker id, value = its report (when it
     * was made, when it expires, its connection count and address; see {@code WorkerDirectory}).
     */
    public String workerDirectory() {
        return prefix + ":workers";
    }

    /** Where one message bus sends itself probe messages to check its subscription. */
    public String probe(String busId) {
        return prefix + ":probe:" + busId;
    }

    /** Where the application's custom messages of a topic travel. */
    public String custom(String topic) {
        return prefix + ":custom:" + topic;
    }
}
