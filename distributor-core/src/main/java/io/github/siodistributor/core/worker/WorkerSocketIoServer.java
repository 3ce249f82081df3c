package io.github.siodistributor.core.worker;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketIOServer;
import io.netty.channel.EventLoopGroup;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * netty-socketio's server bootstrap on the worker's own event loops ({@link WorkerEventLoops}) rather than on groups
 * of its making, so that the worker's Redis connections can share them. netty-socketio's extension point for the
 * groups ({@code initGroups}) assigns private fields, so this sets those fields itself; and since the loops are not
 * netty-socketio's, {@link #stop()} leaves them running (the worker closes its listening socket and sessions, and
 * the loops' owner stops them).
 */
final class WorkerSocketIoServer extends SocketIOServer {

    private final EventLoopGroup loops;

    WorkerSocketIoServer(Configuration configuration, EventLoopGroup loops) {
        super(configuration);
        this.loops = loops;
    }

    @Override
    protected void initGroups() {
        group("bossGroup").set(this, loops);
        group("workerGroup").set(this, loops);
    }

    private static VarHandle group(String field) {
        try {
            return MethodHandles.privateLookupIn(SocketIOServer.class, MethodHandles.lookup())
                    .findVarHandle(SocketIOServer.class, field, EventLoopGroup.class);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("netty-socketio's SocketIOServer has no field '" + field + "' of type "
                    + "EventLoopGroup: the worker is built for netty-socketio 2.0.14 and cannot put it on its own event "
                    + "loops", e);
        }
    }

    @Override
    public void stop() {
        // nothing of netty-socketio's runs: the pipeline is the worker's and the loops belong to WorkerEventLoops
    }
}
