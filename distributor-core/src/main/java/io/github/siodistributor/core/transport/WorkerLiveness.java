package io.github.siodistributor.core.transport;

import java.util.Collection;
import java.util.Set;

/**
 * What a backend reads of the workers that hold its sockets, and what it leaves behind when it gives one up.
 * {@link WorkerLeases} answers both from Redis.
 */
public interface WorkerLiveness {

    /** Of {@code workerIds}, those that hold no lease: stopped, or gone for longer than their TTL. */
    Set<String> withoutLease(Collection<String> workerIds);

    /**
     * Records that a backend gave the sockets of {@code workerId} up because its lease was missing. A worker that
     * was only paused or cut off from Redis finds the record when it renews its lease again, and sends its clients
     * away: their sockets are gone on the backends, and a reconnect gives them new ones.
     */
    void recordLoss(String workerId);
}
