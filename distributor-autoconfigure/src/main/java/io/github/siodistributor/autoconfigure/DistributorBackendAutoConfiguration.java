package io.github.siodistributor.autoconfigure;

import io.github.siodistributor.backend.runtime.DistributorBackend;
import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.transport.RedisMessageBus;
import io.github.siodistributor.core.transport.WorkerLeases;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The backend role: the indirect server ({@link io.github.siodistributor.backend.IndirectServer}) and
 * the runtime that feeds the {@code @SocketNamespace} handler beans.
 */
@AutoConfiguration(after = { DistributorRedisAutoConfiguration.class, JacksonAutoConfiguration.class })
@ConditionalOnBean(RedisMessageBus.class)
@ConditionalOnBooleanProperty(name = "distributor.backend.enabled", matchIfMissing = true)
public class DistributorBackendAutoConfiguration {

    @Bean(destroyMethod = "shutdown")
    @Qualifier("distributorHandlerExecutor")
    @ConditionalOnMissingBean(name = "distributorHandlerExecutor")
    ExecutorService distributorHandlerExecutor(DistributorProperties properties) {
        int threads = properties.getBackend().getHandlerThreads();
        if (threads < 1) {
            throw new IllegalArgumentException("distributor.backend.handler-threads must be at least 1, got " + threads);
        }
        return new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                new CustomizableThreadFactory("distributor-handler-"));
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    DistributorBackend distributorBackend(RedisMessageBus bus, ChannelNames channels,
            ObjectProvider<JsonMapper> jsonMapper,
            @Qualifier("distributorHandlerExecutor") ExecutorService distributorHandlerExecutor,
            DistributorProperties properties, WorkerLeases leases) {
        DistributorProperties.Backend backend = properties.getBackend();
        Duration requestTimeout = DistributorWorkerAutoConfiguration.positive(backend.getRequestTimeout(),
                "distributor.backend.request-timeout");
        DistributorBackend distributorBackend = new DistributorBackend(bus, channels,
                jsonMapper.getIfAvailable(JsonMapper::new), distributorHandlerExecutor, requestTimeout);
        distributorBackend.watchWorkers(leases::withoutLease, DistributorWorkerAutoConfiguration.positive(
                backend.getWorkerCheckInterval(), "distributor.backend.worker-check-interval"),
                DistributorWorkerAutoConfiguration.positive(backend.getWorkerLossGrace(),
                        "distributor.backend.worker-loss-grace"));
        return distributorBackend;
    }

    @Bean
    static SocketNamespaceHandlerRegistrar distributorHandlerRegistrar(ApplicationContext context) {
        return new SocketNamespaceHandlerRegistrar(context);
    }
}
