package io.github.siodistributor.autoconfigure.failure;

/**
 * The distributor was given a Redis Cluster connection factory. It counts the receivers of a message with PUBLISH's
 * answer, which on a cluster counts the subscribers of one node only: every message would look unheard (a worker
 * would send a socket's events again and again, fetchSockets would find nobody), and its multi-key scripts fail with
 * CROSSSLOT. Refused at start rather than misbehaving.
 */
public class RedisClusterNotSupportedException extends IllegalStateException {

    private final String nodes;

    public RedisClusterNotSupportedException(String nodes) {
        super("The distributor does not support Redis Cluster yet, and its Redis connection factory is a cluster one ("
                + nodes + ")");
        this.nodes = nodes;
    }

    /** The cluster's configured nodes, as the factory has them. */
    public String nodes() {
        return nodes;
    }
}
