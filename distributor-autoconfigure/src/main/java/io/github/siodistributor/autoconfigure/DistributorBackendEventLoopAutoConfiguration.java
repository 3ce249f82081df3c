package io.github.siodistributor.autoconfigure;

import io.github.siodistributor.core.worker.WorkerEventLoops;
import io.lettuce.core.resource.ClientResources;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * A backend process without a worker ({@code distributor.worker.enabled=false}) runs Spring Boot's Lettuce client
 * on one event loop ({@code distributor.backend.one-redis-loop}, on by default), as a worker's process runs it on
 * the worker's loops ({@link DistributorWorkerEventLoopsAutoConfiguration}): the subscription that delivers the
 * events and the connection that publishes the answers share a thread, so that a non-blocking handler, which
 * runs on the delivery thread, publishes without waking another one. Lettuce's own loops (at least 2 threads)
 * would put the two connections on different threads. Handlers on the pool are not affected either way
 * (BENCHMARKS.md, change 7). The application's own {@code ClientResources} bean, or a transport Lettuce does not
 * run here, leaves Lettuce on its own loops.
 */
@AutoConfiguration(before = DataRedisAutoConfiguration.class)
@ConditionalOnClass({ ClientResources.class, ClientResourcesBuilderCustomizer.class })
@ConditionalOnBooleanProperty(name = "distributor.worker.enabled", havingValue = false)
@ConditionalOnBooleanProperty(name = "distributor.backend.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "distributor.backend.one-redis-loop", matchIfMissing = true)
public class DistributorBackendEventLoopAutoConfiguration {

    /** Shut down after the Redis client that runs on it: the client's bean depends on it through the customizer. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    WorkerEventLoops distributorBackendEventLoop() {
        return new WorkerEventLoops(1);
    }

    /** First, so that an application's own customizer that sets the same (loops, Netty customizer) wins. */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    @ConditionalOnMissingBean(name = "distributorLettuceOnBackendEventLoop")
    ClientResourcesBuilderCustomizer distributorLettuceOnBackendEventLoop(WorkerEventLoops loop) {
        return LettuceOnDistributorLoops.customizer(loop, "the backend's event loop runs", "");
    }
}
