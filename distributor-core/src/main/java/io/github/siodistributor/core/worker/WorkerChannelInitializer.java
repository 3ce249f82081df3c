package io.github.siodistributor.core.worker;

import com.corundumstudio.socketio.SocketIOChannelInitializer;
import io.netty.channel.ChannelPipeline;

/**
 * netty-socketio's pipeline with the worker's protocol fixes inserted through its extension point
 * ({@code SocketIOServer.setPipelineFactory}).
 */
final class WorkerChannelInitializer extends SocketIOChannelInitializer {

    static final String UPGRADE_NOOP_HANDLER = "distributorUpgradeNoop";

    private final UpgradeNoopHandler upgradeNoopHandler = new UpgradeNoopHandler();

    @Override
    protected void addSocketioHandlers(ChannelPipeline pipeline) {
        super.addSocketioHandlers(pipeline);
        // before the packet handler: it sees WebSocket packets (fired from the pipeline head) and polling requests
        pipeline.addBefore(PACKET_HANDLER, UPGRADE_NOOP_HANDLER, upgradeNoopHandler);
    }
}
