package io.github.siodistributor.autoconfigure;

import io.github.siodistributor.autoconfigure.failure.NoNamespaceToServeException;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import io.github.siodistributor.core.engine.EngineSettings;
import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.WorkerAddress;
import io.github.siodistributor.core.transport.BackendRegistry;
import io.github.siodistributor.core.transport.RedisMessageBus;
import io.github.siodistributor.core.transport.WorkerLeases;
import io.github.siodistributor.core.worker.BackendRouting;
import io.github.siodistributor.core.worker.DistributorWorker;
import io.github.siodistributor.core.worker.WorkerEventLoops;
import io.github.siodistributor.core.worker.WorkerSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The worker role: a Socket.IO server that forwards its clients to the backends over Redis. */
@AutoConfiguration(after = DistributorRedisAutoConfiguration.class)
@ConditionalOnBean(RedisMessageBus.class)
@ConditionalOnBooleanProperty(name = "distributor.worker.enabled", matchIfMissing = true)
public class DistributorWorkerAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    WorkerSettings distributorWorkerSettings(DistributorProperties properties, ChannelNames channels,
            ListableBeanFactory beans) {
        DistributorProperties.Worker worker = properties.getWorker();
        List<String> namespaces = worker.getNamespaces().isEmpty() ? handlerNamespaces(beans) : worker.getNamespaces();
        if (namespaces.isEmpty()) {
            throw new NoNamespaceToServeException();
        }
        String advertised = worker.getAdvertisedAddress();
        if (advertised != null) {
            try {
                WorkerAddress.parse(advertised, worker.getPort() == 0 ? 1 : worker.getPort());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("distributor.worker.advertised-address: " + e.getMessage(), e);
            }
        }
        return new WorkerSettings(worker.getId(), worker.getHost(), worker.getPort(), namespaces, channels, advertised);
    }

    @Bean
    @ConditionalOnMissingBean
    EngineSettings distributorEngineSettings(DistributorProperties properties) {
        DistributorProperties.Worker worker = properties.getWorker();
        return new EngineSettings(worker.getPingInterval(), worker.getPingTimeout(),
                (int) worker.getMaxPayload().toBytes(), worker.getUpgradeTimeout(), worker.getConnectTimeout(),
                worker.getCorsOrigins());
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    DistributorWorker distributorWorker(WorkerSettings settings, EngineSettings engineSettings, RedisMessageBus bus,
            WorkerLeases leases, BackendRegistry registry, DistributorProperties properties,
            ObjectProvider<WorkerEventLoops> loops) {
        DistributorProperties.Worker worker = properties.getWorker();
        Duration checkInterval = positive(worker.getBackendCheckInterval(), "distributor.worker.backend-check-interval");
        Duration lossGrace = positive(worker.getBackendLossGrace(), "distributor.worker.backend-loss-grace");
        Duration handoverTimeout = positive(worker.getHandoverTimeout(), "distributor.worker.handover-timeout");
        BackendRouting routing;
        try {
            routing = new BackendRouting(checkInterval, lossGrace, worker.getWhenNoBackend(),
                    worker.getHeldEventsLimit(), handoverTimeout);
        } catch (IllegalArgumentException e) {
            // the durations are checked above: what is left to refuse is the limit
            throw new IllegalArgumentException("distributor.worker.held-events-limit: " + e.getMessage(), e);
        }
        return new DistributorWorker(settings, engineSettings, bus, leases, positive(worker.getLeaseTtl(),
                "distributor.worker.lease-ttl"), registry, routing, loops.getIfAvailable());
    }

    static Duration positive(Duration value, String property) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(property + " must be positive, got " + value);
        }
        return value;
    }

    /** Read from the bean definitions: no handler bean is created for this. */
    private static List<String> handlerNamespaces(ListableBeanFactory beans) {
        List<String> namespaces = new ArrayList<>();
        for (String name : beans.getBeanNamesForAnnotation(SocketNamespace.class)) {
            SocketNamespace annotation = beans.findAnnotationOnBean(name, SocketNamespace.class);
            if (annotation != null && !namespaces.contains(annotation.value())) {
                namespaces.add(annotation.value());
            }
        }
        return namespaces;
    }
}
