package io.github.siodistributor.core.gateway;

/** How a gateway chooses the worker for a new session (a request without {@code sid}). */
public enum Balancing {
    /** Any live worker, chosen at random. */
    RANDOM,
    /** The live workers in turn, in the order of their ids. */
    ROUND_ROBIN,
    /**
     * The live worker with the fewest connections: the count it last reported plus the new sessions this gateway
     * sent it since that report (ties go to the first id).
     */
    LEAST_CONNECTION
}
