package io.github.siodistributor.core.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/** A connection to a worker: what comes back goes to the client connection's {@link ClientRequestRouter}. */
final class WorkerResponseRelay extends ChannelInboundHandlerAdapter {

    private final ClientRequestRouter router;

    WorkerResponseRelay(ClientRequestRouter router) {
        this.router = router;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        router.fromWorker(ctx.channel(), message);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        router.workerClosed(ctx.channel());
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
