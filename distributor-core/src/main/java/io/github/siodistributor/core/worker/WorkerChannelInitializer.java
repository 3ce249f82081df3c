package io.github.siodistributor.core.worker;

import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketIOChannelInitializer;
import com.corundumstudio.socketio.namespace.NamespacesHub;
import io.github.siodistributor.core.engine.EngineServer;
import io.netty.channel.Channel;

/**
 * The worker's pipeline, netty-socketio's extension point for it ({@code SocketIOChannelInitializer}): the
 * project's own Engine.IO/Socket.IO handlers replace all of netty-socketio's protocol stages, which got the
 * protocol wrong in too many places (see {@code docs/design-decisions.md}). netty-socketio keeps its configuration
 * and connection options ({@link WorkerSocketIoServer}).
 */
final class WorkerChannelInitializer extends SocketIOChannelInitializer {

    private final EngineServer engine;

    WorkerChannelInitializer(EngineServer engine) {
        this.engine = engine;
    }

    @Override
    public void start(Configuration configuration, NamespacesHub namespacesHub) {
        // netty-socketio's own handlers are never built: none of them is used
    }

    @Override
    protected void initChannel(Channel channel) {
        engine.initChannel(channel);
    }

    @Override
    public void stop() {
        // nothing of netty-socketio's was started; the worker closes the engine's sessions itself
    }
}
