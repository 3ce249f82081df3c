package io.github.siodistributor.core.worker;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketIOChannelInitializer;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.scheduler.CancelableScheduler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelHandler;
import io.netty.channel.unix.Errors;
import io.netty.util.concurrent.Future;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.BindException;
import java.net.InetSocketAddress;

/**
 * netty-socketio's server on the worker's own event loops ({@link WorkerEventLoops}) rather than on groups of its
 * making, so that the worker's Redis connections can share them. netty-socketio's bootstrap knows only NIO and
 * epoll, so {@link #startAsync()} binds on the loops' own transport (io_uring or NIO) with netty-socketio's
 * connection options; and since the loops are not netty-socketio's, {@link #stop()} leaves them running (the worker
 * closes its listening socket and sessions, and the loops' owner stops them).
 */
final class WorkerSocketIoServer extends SocketIOServer {

    private static final int EADDRINUSE = 98;
    /**
     * netty-socketio's own pipeline factory, which its server's constructor makes and this worker never uses, and
     * that factory's scheduler: a Netty {@code HashedWheelTimer} that the leak detector reports once collected
     * unless stopped. Private fields, hence handles; null on a netty-socketio without them (nothing is stopped then).
     */
    private static final VarHandle PIPELINE_FACTORY;
    private static final VarHandle SCHEDULER;

    static {
        VarHandle factory = null;
        VarHandle scheduler = null;
        try {
            factory = MethodHandles.privateLookupIn(SocketIOServer.class, MethodHandles.lookup())
                    .findVarHandle(SocketIOServer.class, "pipelineFactory", SocketIOChannelInitializer.class);
            scheduler = MethodHandles.privateLookupIn(SocketIOChannelInitializer.class, MethodHandles.lookup())
                    .findVarHandle(SocketIOChannelInitializer.class, "scheduler", CancelableScheduler.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            factory = null;
        }
        PIPELINE_FACTORY = factory;
        SCHEDULER = scheduler;
    }

    private final WorkerEventLoops loops;
    private final ChannelHandler pipeline;

    /** @param pipeline what sets up each accepted connection's pipeline (shared by all of them) */
    WorkerSocketIoServer(Configuration configuration, WorkerEventLoops loops, ChannelHandler pipeline) {
        super(configuration);
        this.loops = loops;
        this.pipeline = pipeline;
    }

    @Override
    public Future<Void> startAsync() {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops.group())
                .channel(loops.serverChannelClass())
                .childHandler(pipeline);
        applyConnectionOptions(bootstrap);
        Configuration configuration = getConfiguration();
        return bootstrap.bind(configuration.getHostname() == null
                ? new InetSocketAddress(configuration.getPort())
                : new InetSocketAddress(configuration.getHostname(), configuration.getPort()));
    }

    /**
     * A bind failure as the JDK reports it: NIO throws the JDK's {@link BindException} for a port in use, io_uring
     * Netty's {@code NativeIoException} with errno EADDRINUSE (98 on Linux), which becomes a {@code BindException}
     * here so that callers tell a taken port apart the same way on both transports.
     */
    static Throwable asJdkBindFailure(Throwable failure) {
        if (failure instanceof Errors.NativeIoException nativeFailure && nativeFailure.expectedErr() == -EADDRINUSE) {
            BindException taken = new BindException(failure.getMessage());
            taken.initCause(failure);
            return taken;
        }
        return failure;
    }

    /**
     * Nothing of netty-socketio's runs (the pipeline is the worker's and the loops belong to {@link
     * WorkerEventLoops}), except the timer its unused pipeline factory was made with: that one is stopped.
     */
    @Override
    public void stop() {
        CancelableScheduler timer = unusedTimer();
        if (timer != null) {
            timer.shutdown();
        }
    }

    /** The scheduler of netty-socketio's unused pipeline factory, or null when it cannot be reached. */
    CancelableScheduler unusedTimer() {
        if (PIPELINE_FACTORY != null && SCHEDULER != null
                && PIPELINE_FACTORY.get(this) instanceof SocketIOChannelInitializer unused
                && SCHEDULER.get(unused) instanceof CancelableScheduler timer) {
            return timer;
        }
        return null;
    }
}
