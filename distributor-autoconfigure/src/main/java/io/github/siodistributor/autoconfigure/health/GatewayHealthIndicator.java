package io.github.siodistributor.autoconfigure.health;

import io.github.siodistributor.core.gateway.DistributorGateway;
import io.github.siodistributor.core.gateway.KnownWorker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * A gateway is UP while it listens and reads the live workers from Redis ({@link
 * DistributorGateway#readsLiveWorkers()}); it asks Redis nothing itself. No live worker is not DOWN: new sessions get 503 until one reports, and a readiness probe that
 * took every gateway out while the workers restart would only make that longer.
 */
final class GatewayHealthIndicator implements HealthIndicator {

    private final DistributorGateway gateway;

    GatewayHealthIndicator(DistributorGateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public Health health() {
        Map<String, Integer> connections = new LinkedHashMap<>();
        List<String> unreachable = new ArrayList<>();
        for (KnownWorker worker : gateway.workers()) {
            connections.put(worker.id(), worker.connections());
            if (!worker.reachable()) {
                unreachable.add(worker.id());
            }
        }
        boolean reads = gateway.readsLiveWorkers();
        // live by its report, but refusing this gateway (no new session until it reports again) or not answering it
        // (none for 30 s)
        Health.Builder builder = new Health.Builder().withDetail("port", gateway.port())
                .withDetail("liveWorkers", connections)
                .withDetail("unreachableWorkers", unreachable)
                .withDetail("directory", reads ? "read from Redis " + gateway.millisSinceLiveWorkersRead() + " ms ago"
                        : "not read from Redis (routing by the last view) for " + gateway.millisSinceLiveWorkersRead()
                                + " ms");
        return (reads && gateway.port() > 0 ? builder.up() : builder.down()).build();
    }
}
