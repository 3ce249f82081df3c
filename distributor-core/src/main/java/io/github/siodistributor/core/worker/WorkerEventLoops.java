package io.github.siodistributor.core.worker;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The event loops of a worker: its clients' connections run on them, and so should its Redis connections
 * ({@link io.github.siodistributor.core.transport.SharedLettuceEventLoops}). An event read from a client is then
 * published to Redis by the thread that read it, and a backend's answer read from Redis is written to the client
 * by the thread that read it: no thread hand-off, no wake-up of a sleeping thread per message. On a small machine
 * those wake-ups cost more CPU than everything else a message does (see BENCHMARKS.md).
 *
 * <p>Netty's NIO transport, which is also Lettuce's when no native transport is on the class path. The threads are
 * not daemons, like any server's: a running worker keeps its JVM alive.
 */
public final class WorkerEventLoops implements AutoCloseable {

    /** One loop, like a Node process: the most efficient where the cores are few (see BENCHMARKS.md). */
    public static final int DEFAULT_THREADS = 1;

    private final MultiThreadIoEventLoopGroup group;
    private final int threads;

    /** @param threads how many loops ({@code distributor.worker.io-threads}), at least 1 */
    public WorkerEventLoops(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("a worker needs at least 1 I/O thread (distributor.worker.io-threads), "
                    + "got " + threads);
        }
        this.threads = threads;
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("distributor-io"),
                NioIoHandler.newFactory());
    }

    public EventLoopGroup group() {
        return group;
    }

    public int threads() {
        return threads;
    }

    /** Stops the loops once what runs on them is done; connections still open on them are closed. */
    @Override
    public void close() {
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
