package io.github.siodistributor.autoconfigure.health;

import io.github.siodistributor.autoconfigure.DistributorBackendAutoConfiguration;
import io.github.siodistributor.autoconfigure.DistributorGatewayAutoConfiguration;
import io.github.siodistributor.autoconfigure.DistributorProperties;
import io.github.siodistributor.autoconfigure.DistributorWorkerAutoConfiguration;
import io.github.siodistributor.backend.runtime.DistributorBackend;
import io.github.siodistributor.core.gateway.DistributorGateway;
import io.github.siodistributor.core.transport.RedisMessageBus;
import io.github.siodistributor.core.transport.WorkerLeases;
import io.github.siodistributor.core.worker.DistributorWorker;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * One {@code distributor} health entry with a component per role this application runs ({@code worker},
 * {@code backend}, {@code gateway}). Off with {@code management.health.distributor.enabled=false}; a bean named
 * {@code distributorHealthContributor} replaces it.
 */
@AutoConfiguration(after = { DistributorWorkerAutoConfiguration.class, DistributorBackendAutoConfiguration.class,
        DistributorGatewayAutoConfiguration.class })
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(RedisMessageBus.class)
@ConditionalOnEnabledHealthIndicator("distributor")
public class DistributorHealthContributorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = { "distributorHealthIndicator", "distributorHealthContributor" })
    CompositeHealthContributor distributorHealthContributor(RedisMessageBus bus, WorkerLeases leases,
            ObjectProvider<DistributorWorker> worker, ObjectProvider<DistributorBackend> backend,
            ObjectProvider<DistributorGateway> gateway, DistributorProperties properties) {
        Duration probeTimeout = properties.getRedis().getProbeTimeout();
        if (probeTimeout == null || probeTimeout.isNegative() || probeTimeout.isZero()) {
            throw new IllegalArgumentException("distributor.redis.probe-timeout must be positive, got " + probeTimeout);
        }
        SubscriptionHealth subscription = new SubscriptionHealth(bus, probeTimeout);
        Map<String, HealthContributor> roles = new LinkedHashMap<>();
        worker.ifAvailable(each -> roles.put("worker", new WorkerHealthIndicator(each, leases, subscription)));
        backend.ifAvailable(each -> roles.put("backend", new BackendHealthIndicator(each, subscription)));
        gateway.ifAvailable(each -> roles.put("gateway", new GatewayHealthIndicator(each)));
        return CompositeHealthContributor.fromMap(roles);
    }
}
