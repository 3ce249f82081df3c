package io.github.siodistributor.core.gateway;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * One direction of an upgraded (WebSocket) connection: whatever arrives is written to the other side unread.
 * Reading pauses while the other side cannot take more, and a side that closes closes the other.
 */
final class BytePipe extends ChannelInboundHandlerAdapter {

    private final Channel to;

    BytePipe(Channel to) {
        this.to = to;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        to.writeAndFlush(message);
        if (!to.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            // the other side's reads paused for this side's sake
            to.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        to.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * The client's connection saw no byte either way for the idle timeout: a live WebSocket carries the worker's
     * pings well within it, so this one is stuck (a client that stopped reading, with the worker's frames piling up
     * in front of it, or whose host vanished). Both sides close, or the pair would hold its sockets and buffers
     * until the kernel gave up on the client.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            ctx.close();
            to.close();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
