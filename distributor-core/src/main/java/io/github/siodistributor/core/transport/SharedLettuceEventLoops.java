package io.github.siodistributor.core.transport;

import io.lettuce.core.resource.EventLoopGroupProvider;
import io.lettuce.core.resource.Transports;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.MultithreadEventExecutorGroup;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Gives Lettuce event loops the process already runs (a worker's,
 * {@link io.github.siodistributor.core.worker.WorkerEventLoops}) instead of its own, so that a Redis connection and
 * the client connections on the same loop hand each other messages without waking another thread. Install it with
 * {@code ClientResources.builder().eventLoopGroupProvider(...)}, where Lettuce's transport is the loops' own (Lettuce
 * runs epoll or io_uring where Netty's native library for it is on the class path, NIO otherwise, and a worker's loops
 * follow by default): see {@link #applies(Class)}.
 *
 * <p>The loops stay their owner's: Lettuce releasing or shutting them down leaves them running.
 */
public final class SharedLettuceEventLoops implements EventLoopGroupProvider {

    private final EventLoopGroup loops;

    public SharedLettuceEventLoops(EventLoopGroup loops) {
        this.loops = Objects.requireNonNull(loops, "loops");
    }

    /**
     * Whether Lettuce's connections can run on loops whose connections are of {@code socketChannelClass}: whether
     * Lettuce picked that transport too.
     */
    public static boolean applies(Class<? extends Channel> socketChannelClass) {
        return lettuceChannelClass() == socketChannelClass;
    }

    /** The channel type of Lettuce's connections: names its transport. */
    public static Class<? extends Channel> lettuceChannelClass() {
        return Transports.socketChannelClass();
    }

    @Override
    public <T extends EventLoopGroup> T allocate(Class<T> type) {
        if (!type.isInstance(loops)) {
            throw new IllegalStateException("Lettuce asked for event loops of type " + type.getName() + " but the "
                    + "shared ones are " + loops.getClass().getName() + ": install SharedLettuceEventLoops only where "
                    + "SharedLettuceEventLoops.applies(...)");
        }
        return type.cast(loops);
    }

    @Override
    public int threadPoolSize() {
        return loops instanceof MultithreadEventExecutorGroup multi ? multi.executorCount() : 1;
    }

    @Override
    public Future<Boolean> release(EventExecutorGroup group, long quietPeriod, long timeout, TimeUnit unit) {
        return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }

    @Override
    public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit unit) {
        return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }
}
