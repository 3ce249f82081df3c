package io.github.siodistributor.core.transport;

import io.github.siodistributor.core.protocol.WorkerRun;
import java.util.Collection;
import java.util.Map;

/**
 * What a backend reads of the workers that hold its sockets, and what it leaves behind when it gives one up.
 * {@link WorkerLeases} answers both from Redis.
 */
public interface WorkerLiveness {

    /**
     * Of {@code workerIds}, those that hold a lease, each with the run id it holds it with. A worker missing from
     * the answer holds none (stopped, or gone for longer than its TTL); one held with another run id than a
     * socket's was started again, and that socket's run is over.
     */
    Map<String, String> leaseHolders(Collection<String> workerIds);

    /**
     * Records that a backend gave the sockets of {@code run} up because its lease was missing. A run that was only
     * paused or cut off from Redis finds the record when it renews its lease again, and sends its clients away:
     * their sockets are gone on the backends, and a reconnect gives them new ones. Each run has a record of its
     * own: another run of the worker never sees it.
     */
    void recordLoss(WorkerRun run);
}
