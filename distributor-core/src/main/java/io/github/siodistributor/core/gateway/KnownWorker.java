package io.github.siodistributor.core.gateway;

import io.github.siodistributor.core.protocol.WorkerAddress;

/**
 * A live worker as a gateway sees it, for diagnostics.
 *
 * @param connections what it last reported plus the new sessions the gateway sent it since
 * @param reachable false after connecting to it failed, until it reports again
 */
public record KnownWorker(String id, WorkerAddress address, int connections, boolean reachable) {
}
