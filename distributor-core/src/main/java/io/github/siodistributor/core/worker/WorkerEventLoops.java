package io.github.siodistributor.core.worker;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The event loops of a worker: its clients' connections run on them, and so should its Redis connections
 * ({@link io.github.siodistributor.core.transport.SharedLettuceEventLoops}). An event read from a client is then
 * published to Redis by the thread that read it, and a backend's answer read from Redis is written to the client
 * by the thread that read it: no thread hand-off, no wake-up of a sleeping thread per message. On a small machine
 * those wake-ups cost more CPU than everything else a message does (see BENCHMARKS.md).
 *
 * <p>The loops run io_uring or NIO ({@link WorkerTransport}). The threads are not daemons, like any server's: a
 * running worker keeps its JVM alive.
 */
public final class WorkerEventLoops implements AutoCloseable {

    /** One loop, like a Node process: the most efficient where the cores are few (see BENCHMARKS.md). */
    public static final int DEFAULT_THREADS = 1;

    private final MultiThreadIoEventLoopGroup group;
    private final int threads;
    private final WorkerTransport transport;

    /** Loops on the best transport this machine offers ({@link WorkerTransport#AUTO}). */
    public WorkerEventLoops(int threads) {
        this(threads, WorkerTransport.AUTO);
    }

    /**
     * @param threads how many loops ({@code distributor.worker.io-threads}), at least 1
     * @param transport the transport asked for ({@code distributor.worker.transport})
     * @throws IllegalStateException when {@link WorkerTransport#IO_URING} is asked for and the machine does not offer it
     */
    public WorkerEventLoops(int threads, WorkerTransport transport) {
        if (threads < 1) {
            throw new IllegalArgumentException("a worker needs at least 1 I/O thread (distributor.worker.io-threads), "
                    + "got " + threads);
        }
        this.threads = threads;
        this.transport = resolve(transport, IoUring.isAvailable(), IoUring.unavailabilityCause());
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("distributor-io"), ioHandlers());
    }

    /** What {@code requested} comes to on a machine where io_uring is {@code uringAvailable} (or not, for {@code cause}). */
    static WorkerTransport resolve(WorkerTransport requested, boolean uringAvailable, Throwable cause) {
        return switch (requested) {
            case AUTO -> uringAvailable ? WorkerTransport.IO_URING : WorkerTransport.NIO;
            case NIO -> WorkerTransport.NIO;
            case IO_URING -> {
                if (!uringAvailable) {
                    throw new IllegalStateException("distributor.worker.transport=io-uring, but io_uring is not available "
                            + "here (" + (cause == null ? "no cause given" : cause.getMessage()) + "): it needs Netty's "
                            + "native library on the class path (io.netty:netty-transport-native-io_uring, classifier "
                            + "linux-x86_64 or linux-aarch_64) and Linux 5.14 or later, not forbidden by a seccomp "
                            + "profile; or set the property to auto (io_uring where available, else NIO) or nio", cause);
                }
                yield WorkerTransport.IO_URING;
            }
        };
    }

    private IoHandlerFactory ioHandlers() {
        return transport == WorkerTransport.IO_URING ? IoUringIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    /** The channel type that accepts the clients' connections on these loops. */
    public Class<? extends ServerChannel> serverChannelClass() {
        return transport == WorkerTransport.IO_URING ? IoUringServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** The channel type of an outgoing connection (such as Lettuce's) that can run on these loops. */
    public Class<? extends SocketChannel> socketChannelClass() {
        return transport == WorkerTransport.IO_URING ? IoUringSocketChannel.class : NioSocketChannel.class;
    }

    /** The transport the loops run: {@link WorkerTransport#NIO} or {@link WorkerTransport#IO_URING}, never AUTO. */
    public WorkerTransport transport() {
        return transport;
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
