package io.github.siodistributor.core.worker;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketIOServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelHandler;
import io.netty.channel.unix.Errors;
import io.netty.util.concurrent.Future;
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

    @Override
    public void stop() {
        // nothing of netty-socketio's runs: the pipeline is the worker's and the loops belong to WorkerEventLoops
    }
}
