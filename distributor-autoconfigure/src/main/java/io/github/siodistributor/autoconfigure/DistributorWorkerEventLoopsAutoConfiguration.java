package io.github.siodistributor.autoconfigure;

import io.github.siodistributor.core.worker.WorkerEventLoops;
import io.lettuce.core.resource.ClientResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * The worker's event loops ({@code distributor.worker.io-threads}), with Spring Boot's Lettuce client on them: an
 * event read from a client is published to Redis, and an answer read from Redis is written to the client, by the
 * thread that read it ({@link WorkerEventLoops}). Runs before Spring Boot's Redis auto-configuration, whose client
 * resources it customizes. The Redis connections keep Lettuce's own loops, and each message costs a thread
 * hand-off, where the application defines its own {@code ClientResources} bean or its own connection factory
 * for the distributor, or where the loops run another transport than Lettuce ({@code distributor.worker.transport}
 * set to another than {@code auto}).
 */
@AutoConfiguration(before = DataRedisAutoConfiguration.class)
@ConditionalOnClass({ ClientResources.class, ClientResourcesBuilderCustomizer.class })
@ConditionalOnBooleanProperty(name = "distributor.worker.enabled", matchIfMissing = true)
@EnableConfigurationProperties(DistributorProperties.class)
public class DistributorWorkerEventLoopsAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(DistributorWorkerEventLoopsAutoConfiguration.class);

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    WorkerEventLoops distributorWorkerEventLoops(DistributorProperties properties) {
        WorkerEventLoops loops = new WorkerEventLoops(properties.getWorker().getIoThreads(),
                properties.getWorker().getTransport());
        log.debug("Distributor worker event loops: {} x {}", loops.threads(), loops.transport().displayName());
        return loops;
    }

    /** First, so that an application's own customizer that sets the same (loops, Netty customizer) wins. */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    @ConditionalOnMissingBean(name = "distributorLettuceOnWorkerEventLoops")
    ClientResourcesBuilderCustomizer distributorLettuceOnWorkerEventLoops(WorkerEventLoops loops) {
        return LettuceOnDistributorLoops.customizer(loops, "the worker's event loops run",
                " (distributor.worker.transport)");
    }
}
