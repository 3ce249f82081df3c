package io.github.siodistributor.autoconfigure;

import io.github.siodistributor.backend.runtime.DistributorBackend;
import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.transport.RedisMessageBus;
import io.github.siodistributor.core.transport.WorkerLeases;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.json.JsonMapper;

/**
 * The backend role: the indirect server ({@link io.github.siodistributor.backend.IndirectServer}) and
 * the runtime that feeds the {@code @SocketNamespace} handler beans.
 */
@AutoConfiguration(after = { DistributorRedisAutoConfiguration.class, JacksonAutoConfiguration.class })
@ConditionalOnBean(RedisMessageBus.class)
@ConditionalOnBooleanProperty(name = "distributor.backend.enabled", matchIfMissing = true)
public class DistributorBackendAutoConfiguration {

    /**
     * The pool that runs handler methods ({@code distributor.backend.handler-threads}): a fork/join pool in async
     * mode. An event wakes the thread that went idle last, still warm, where a {@code ThreadPoolExecutor} wakes the
     * one idle longest; measured in BENCHMARKS.md (backend CPU per echo 70 to 61 µs, a steady p99). Per-socket order
     * comes from the runtime's serial executor, not from the pool. Not a default candidate: injected by its
     * qualifier only, it neither stops Spring Boot from making its task executor nor competes with it.
     */
    @Bean(destroyMethod = "shutdown", defaultCandidate = false)
    @Qualifier("distributorHandlerExecutor")
    @ConditionalOnMissingBean(name = "distributorHandlerExecutor")
    ExecutorService distributorHandlerExecutor(DistributorProperties properties) {
        int threads = PropertyChecks.atLeastOne(properties.getBackend().getHandlerThreads(),
                "distributor.backend.handler-threads");
        ClassLoader application = Thread.currentThread().getContextClassLoader();
        AtomicInteger numbers = new AtomicInteger();
        return new ForkJoinPool(threads, pool -> new HandlerThread(pool, numbers.incrementAndGet(), application), null,
                true);
    }

    /**
     * A handler thread named for thread dumps, with the application's context class loader: a fork/join pool's
     * default threads get the system class loader, which in a packaged Spring Boot application cannot see its classes.
     */
    private static final class HandlerThread extends ForkJoinWorkerThread {

        HandlerThread(ForkJoinPool pool, int number, ClassLoader contextClassLoader) {
            super(pool);
            setName("distributor-handler-" + number);
            setContextClassLoader(contextClassLoader);
        }
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    DistributorBackend distributorBackend(RedisMessageBus bus, ChannelNames channels,
            ObjectProvider<JsonMapper> jsonMapper,
            @Qualifier("distributorHandlerExecutor") ExecutorService distributorHandlerExecutor,
            DistributorProperties properties, WorkerLeases leases) {
        DistributorProperties.Backend backend = properties.getBackend();
        Duration requestTimeout = PropertyChecks.positive(backend.getRequestTimeout(),
                "distributor.backend.request-timeout");
        DistributorBackend distributorBackend = new DistributorBackend(bus, channels,
                jsonMapper.getIfAvailable(JsonMapper::new), distributorHandlerExecutor, requestTimeout);
        distributorBackend.limitQueuedEvents(PropertyChecks.atLeastOne(backend.getQueuedEventsLimit(),
                "distributor.backend.queued-events-limit"), PropertyChecks.atLeastOneByte(backend.getQueuedEventsSize(),
                "distributor.backend.queued-events-size"));
        distributorBackend.watchWorkers(leases, PropertyChecks.positive(
                backend.getWorkerCheckInterval(), "distributor.backend.worker-check-interval"),
                PropertyChecks.positive(backend.getWorkerLossGrace(),
                        "distributor.backend.worker-loss-grace"));
        return distributorBackend;
    }

    @Bean
    static SocketNamespaceHandlerRegistrar distributorHandlerRegistrar(ApplicationContext context) {
        return new SocketNamespaceHandlerRegistrar(context);
    }
}
