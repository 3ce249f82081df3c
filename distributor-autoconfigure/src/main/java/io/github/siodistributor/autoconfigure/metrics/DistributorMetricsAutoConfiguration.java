package io.github.siodistributor.autoconfigure.metrics;

import io.github.siodistributor.autoconfigure.DistributorBackendAutoConfiguration;
import io.github.siodistributor.autoconfigure.DistributorWorkerAutoConfiguration;
import io.github.siodistributor.backend.runtime.DistributorBackend;
import io.github.siodistributor.core.transport.RedisMessageBus;
import io.github.siodistributor.core.worker.DistributorWorker;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Micrometer meters for the distributor, when the application has a {@link MeterRegistry} (Spring Boot's
 * metrics auto-configuration binds the {@link DistributorMeterBinder} to it). A bean named
 * {@code distributorMeterBinder} replaces it.
 */
@AutoConfiguration(after = { MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
        SimpleMetricsExportAutoConfiguration.class, DistributorWorkerAutoConfiguration.class,
        DistributorBackendAutoConfiguration.class })
@ConditionalOnClass({ MeterRegistry.class, MetricsAutoConfiguration.class })
@ConditionalOnBean({ MeterRegistry.class, RedisMessageBus.class })
public class DistributorMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "distributorMeterBinder")
    DistributorMeterBinder distributorMeterBinder(RedisMessageBus bus, ObjectProvider<DistributorWorker> worker,
            ObjectProvider<DistributorBackend> backend) {
        return new DistributorMeterBinder(bus, worker.getIfAvailable(), backend.getIfAvailable());
    }
}
