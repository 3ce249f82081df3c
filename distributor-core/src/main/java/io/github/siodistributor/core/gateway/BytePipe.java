package io.github.siodistributor.core.gateway;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

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

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
