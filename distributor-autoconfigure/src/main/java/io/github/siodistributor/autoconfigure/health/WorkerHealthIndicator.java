package io.github.siodistributor.autoconfigure.health;

import io.github.siodistributor.core.transport.SubscriptionCheck;
import io.github.siodistributor.core.transport.WorkerLeases.LeaseState;
import io.github.siodistributor.core.transport.WorkerLeases;
import io.github.siodistributor.core.worker.DistributorWorker;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * A worker is UP while its subscription delivers (commands from backends reach it) and it holds the lease on
 * its id (backends keep its sockets). The details also show the live backend instances of each namespace as the
 * worker last read the registry: none is not DOWN (the worker holds or refuses sockets per its policy). Its clients stay connected either way: DOWN tells a load balancer or an
 * operator, it does not act.
 */
final class WorkerHealthIndicator implements HealthIndicator {

    private final DistributorWorker worker;
    private final WorkerLeases leases;
    private final SubscriptionHealth subscription;

    WorkerHealthIndicator(DistributorWorker worker, WorkerLeases leases, SubscriptionHealth subscription) {
        this.worker = worker;
        this.leases = leases;
        this.subscription = subscription;
    }

    @Override
    public Health health() {
        Health.Builder builder = new Health.Builder().withDetail("workerId", worker.id())
                .withDetail("port", worker.port())
                .withDetail("clients", worker.engine().sessionCount())
                .withDetail("backendInstances", liveInstanceCounts());
        SubscriptionCheck check = subscription.check(builder);
        LeaseState lease = leases.held(worker.id()).map(WorkerLeases.Lease::state)
                .orElse(new LeaseState(false, "no lease held: the worker is not started"));
        builder.withDetail("lease", lease.detail());
        return (check.alive() && lease.held() ? builder.up() : builder.down()).build();
    }

    private Map<String, Integer> liveInstanceCounts() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        worker.backendInstances().forEach((spec, live) -> counts.put(spec, live.size()));
        return counts;
    }
}
