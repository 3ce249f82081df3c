package io.github.siodistributor.core.worker;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The event loops of a worker: its clients' connections run on them, and so should its Redis connections
 * ({@link io.github.siodistributor.core.transport.SharedLettuceEventLoops}). An event read from a client is then
 * published to Redis by the thread that read it, and a backend's answer read from Redis is written to the client
 * by the thread that read it: no thread hand-off, no wake-up of a sleeping thread per message. On a small machine
 * those wake-ups cost more CPU than everything else a message does (see BENCHMARKS.md).
 *
 * <p>The loops run NIO, epoll or io_uring ({@link WorkerTransport}). The threads are not daemons, like any server's: a
 * running worker keeps its JVM alive.
 */
public final class WorkerEventLoops implements AutoCloseable {

    /** One loop, like a Node process: the most efficient where the cores are few (see BENCHMARKS.md). */
    public static final int DEFAULT_THREADS = 1;

    private final MultiThreadIoEventLoopGroup group;
    private final int threads;
    private final WorkerTransport transport;
    private final Netty netty;

    /** Loops on the transport Lettuce runs here ({@link WorkerTransport#AUTO}). */
    public WorkerEventLoops(int threads) {
        this(threads, WorkerTransport.AUTO);
    }

    /**
     * @param threads how many loops ({@code distributor.worker.io-threads}), at least 1
     * @param transport the transport asked for ({@code distributor.worker.transport})
     * @throws IllegalStateException when a native transport is asked for that is not available here
     */
    public WorkerEventLoops(int threads, WorkerTransport transport) {
        if (threads < 1) {
            throw new IllegalArgumentException("a worker needs at least 1 I/O thread (distributor.worker.io-threads), "
                    + "got " + threads);
        }
        this.threads = threads;
        this.transport = resolve(transport, WorkerTransport::isAvailable);
        this.netty = Netty.of(this.transport);
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("distributor-io"),
                netty.handlers());
    }

    /** A transport's parts in Netty: what runs the loops, what accepts clients, what connects out. */
    private record Netty(IoHandlerFactory handlers, Class<? extends ServerChannel> serverChannel,
            Class<? extends SocketChannel> socketChannel) {

        static Netty of(WorkerTransport transport) {
            return switch (transport) {
                case EPOLL -> new Netty(EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                        EpollSocketChannel.class);
                case IO_URING -> new Netty(IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class,
                        IoUringSocketChannel.class);
                case NIO, AUTO -> new Netty(NioIoHandler.newFactory(), NioServerSocketChannel.class,
                        NioSocketChannel.class);
            };
        }
    }

    /** What {@code requested} comes to where the transports for which {@code available} holds run. */
    static WorkerTransport resolve(WorkerTransport requested, Predicate<WorkerTransport> available) {
        if (requested == WorkerTransport.AUTO) {
            // Lettuce's order of preference: its connections share the loops only on the transport it picked
            if (available.test(WorkerTransport.EPOLL)) {
                return WorkerTransport.EPOLL;
            }
            return available.test(WorkerTransport.IO_URING) ? WorkerTransport.IO_URING : WorkerTransport.NIO;
        }
        if (!available.test(requested)) {
            Throwable cause = requested.unavailabilityCause();
            throw new IllegalStateException("distributor.worker.transport=" + requested.propertyValue() + ", but "
                    + requested.propertyValue() + " is not available here (" + (cause == null ? "no cause given"
                    : cause.getMessage()) + "): it needs Netty's native library on the class path ("
                    + requested.nativeLibrary() + ", classifier linux-x86_64 or linux-aarch_64) and a Linux kernel that "
                    + "allows it (io_uring: 5.14 or later, not forbidden by a seccomp profile); or set the property to "
                    + "auto (what Lettuce runs) or nio", cause);
        }
        return requested;
    }

    /** The channel type that accepts the clients' connections on these loops. */
    public Class<? extends ServerChannel> serverChannelClass() {
        return netty.serverChannel();
    }

    /** The channel type of an outgoing connection (such as Lettuce's) that can run on these loops. */
    public Class<? extends SocketChannel> socketChannelClass() {
        return netty.socketChannel();
    }

    /** The transport the loops run: never {@link WorkerTransport#AUTO}. */
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
