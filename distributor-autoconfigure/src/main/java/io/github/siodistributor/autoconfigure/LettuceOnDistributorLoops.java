package io.github.siodistributor.autoconfigure;

import io.github.siodistributor.core.transport.RedisWritesPerLoopPass;
import io.github.siodistributor.core.transport.SharedLettuceEventLoops;
import io.github.siodistributor.core.worker.WorkerEventLoops;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;

/**
 * Puts Spring Boot's Lettuce client on the distributor's event loops, where Lettuce runs their transport, and has
 * each connection send what one pass of a loop asks of Redis in one write ({@link RedisWritesPerLoopPass}). An
 * application whose own customizer sets Lettuce's {@code NettyCustomizer} keeps its own (this one runs first); to
 * keep the batching too, its customizer calls {@code new RedisWritesPerLoopPass().afterChannelInitialized(channel)}.
 */
final class LettuceOnDistributorLoops {

    private static final Logger log = LoggerFactory.getLogger(LettuceOnDistributorLoops.class);

    private LettuceOnDistributorLoops() {
    }

    /**
     * @param whose whose loops they are, for the log line when Lettuce cannot share them ("the worker's event loops
     *     run", followed by the transport)
     * @param setting what chose that transport, for the same line
     */
    static ClientResourcesBuilderCustomizer customizer(WorkerEventLoops loops, String whose, String setting) {
        if (!SharedLettuceEventLoops.applies(loops.socketChannelClass())) {
            log.info("Lettuce runs {} connections here and {} {}{}: those Redis connections keep Lettuce's own event"
                    + " loops, and every message between them and the distributor costs a thread hand-off (see"
                    + " docs/configuration.md)", SharedLettuceEventLoops.lettuceChannelClass().getSimpleName(), whose,
                    loops.transport().displayName(), setting);
            return builder -> { };
        }
        return builder -> builder.eventLoopGroupProvider(new SharedLettuceEventLoops(loops.group()))
                .nettyCustomizer(new RedisWritesPerLoopPass());
    }
}
