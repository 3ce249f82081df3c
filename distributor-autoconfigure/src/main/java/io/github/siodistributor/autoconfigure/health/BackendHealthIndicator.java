package io.github.siodistributor.autoconfigure.health;

import io.github.siodistributor.backend.runtime.DistributorBackend;
import io.github.siodistributor.core.transport.SubscriptionCheck;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * A backend is UP while its subscription delivers (the events of its namespaces and the answers to its requests)
 * and this instance is in the backend registry, where workers find it (its heartbeat renews).
 */
final class BackendHealthIndicator implements HealthIndicator {

    private final DistributorBackend backend;
    private final SubscriptionHealth subscription;

    BackendHealthIndicator(DistributorBackend backend, SubscriptionHealth subscription) {
        this.backend = backend;
        this.subscription = subscription;
    }

    @Override
    public Health health() {
        DistributorBackend.Registration registration = backend.registration();
        Health.Builder builder = new Health.Builder().withDetail("namespaces", backend.namespaces())
                .withDetail("instanceId", backend.id()).withDetail("registry", registration.detail());
        SubscriptionCheck check = subscription.check(builder);
        return (check.alive() && registration.registered() ? builder.up() : builder.down()).build();
    }
}
