package io.github.siodistributor.core.transport;

import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.handler.flush.FlushConsolidationHandler;

/**
 * Sends the Redis commands that one pass of an event loop issues on a connection in one write, instead of one write
 * per command: install it on Lettuce's {@code ClientResources} ({@code nettyCustomizer(...)}) where its connections
 * share the distributor's loops ({@link SharedLettuceEventLoops}). A worker's loop that read five client events in a
 * pass then sends their five PUBLISHes together, and a backend's delivery thread the answers to what one read of
 * Redis brought: the loop pays for one send instead of five, and Redis reads them at once (DESIGN.md property 7:
 * batch Redis publishes under load).
 *
 * <p>Nothing waits for more: a flush asked for outside a read of that connection is done once the loop has handled
 * the I/O of its current pass (a task it runs next), and within a read, when the read is complete. Every
 * {@value #EXPLICIT_FLUSH_AFTER} commands are flushed at once, so a long pass does not hold a large batch back.
 */
public final class RedisWritesPerLoopPass implements NettyCustomizer {

    /** The pipeline name of the handler, first in every Lettuce channel's pipeline. */
    public static final String HANDLER_NAME = "distributorRedisWritesPerLoopPass";

    static final int EXPLICIT_FLUSH_AFTER = 64;

    @Override
    public void afterChannelInitialized(Channel channel) {
        channel.pipeline().addFirst(HANDLER_NAME, new FlushConsolidationHandler(EXPLICIT_FLUSH_AFTER, true));
    }
}
