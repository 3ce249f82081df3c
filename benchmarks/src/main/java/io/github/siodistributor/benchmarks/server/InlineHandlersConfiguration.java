package io.github.siodistributor.benchmarks.server;

import io.github.siodistributor.core.transport.SharedLettuceEventLoops;
import io.github.siodistributor.core.worker.WorkerEventLoops;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A measurement, not a recommendation ({@code --bench.inline-handlers=true} on the backend process): the backend's
 * handlers run on the Redis delivery thread instead of the handler pool, and all of its Redis connections on one
 * Lettuce thread, as a Node server runs its handlers on its one loop. It shows what the handler pool's two thread
 * hand-offs per event cost (and, with one Redis loop, its Redis connections' hand-off); the distributor itself keeps handlers off the delivery thread (DESIGN.md property 7),
 * since a handler that blocks there, for instance on an {@code emitWithAck} result, would stall every socket.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty("bench.inline-handlers")
class InlineHandlersConfiguration {

    @Bean(name = "distributorHandlerExecutor", destroyMethod = "shutdown")
    ExecutorService distributorHandlerExecutor() {
        return new CallerRunsExecutor();
    }

    /** One loop for all Redis connections (Lettuce's own pool has at least 2), shut down after the client. */
    @Bean(destroyMethod = "close")
    WorkerEventLoops benchRedisLoop() {
        return new WorkerEventLoops(1);
    }

    @Bean(destroyMethod = "shutdown")
    ClientResources benchClientResources(WorkerEventLoops benchRedisLoop) {
        return DefaultClientResources.builder()
                .eventLoopGroupProvider(new SharedLettuceEventLoops(benchRedisLoop.group())).build();
    }

    /** Runs every task on the thread that hands it over. */
    private static final class CallerRunsExecutor extends AbstractExecutorService {

        private volatile boolean shutdown;

        @Override
        public void execute(Runnable task) {
            task.run();
        }

        @Override
        public void shutdown() {
            shutdown = true;
        }

        @Override
        public List<Runnable> shutdownNow() {
            shutdown = true;
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return shutdown;
        }

        @Override
        public boolean isTerminated() {
            return shutdown;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }
    }
}
