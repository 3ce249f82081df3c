package io.github.siodistributor.core.worker;

import io.github.siodistributor.core.engine.EngineServer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;

/**
 * The worker's pipeline for each accepted connection: the project's own Engine.IO/Socket.IO handlers, which replace
 * all of netty-socketio's protocol stages (they got the protocol wrong in too many places, see {@code
 * docs/design-decisions.md}). Not a netty-socketio {@code SocketIOChannelInitializer}: that one's constructor
 * makes a timer for netty-socketio's own handlers, none of which runs here.
 */
final class WorkerChannelInitializer extends ChannelInitializer<Channel> {

    private final EngineServer engine;

    WorkerChannelInitializer(EngineServer engine) {
        this.engine = engine;
    }

    @Override
    protected void initChannel(Channel channel) {
        engine.initChannel(channel);
    }
}
