package io.github.siodistributor.core.engine;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.AttributeKey;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Hands the frames of one WebSocket to its session: Engine.IO packets as text, binary messages as binary. */
final class EngineWebSocketHandler extends SimpleChannelInboundHandler<WebSocketFrame> {

    private static final Logger log = LoggerFactory.getLogger(EngineWebSocketHandler.class);

    /** How long a closing WebSocket waits for its close frame to go out. */
    static final int CLOSE_TIMEOUT_SECONDS = 5;

    /** The status a WebSocket's close frame says, when not the plain close's. */
    private static final AttributeKey<WebSocketCloseStatus> CLOSE_STATUS = AttributeKey.valueOf(
            EngineWebSocketHandler.class, "closeStatus");
    /** Set by the first {@link #close}: a WebSocket gets one close frame. */
    private static final AttributeKey<Boolean> CLOSING = AttributeKey.valueOf(EngineWebSocketHandler.class,
            "closing");

    private final EngineSession session;
    /** The latest ping that came while the client took nothing in, to answer once it does; the channel's loop only. */
    private ByteBuf unansweredPing;

    EngineWebSocketHandler(EngineSession session) {
        this.session = session;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof TextWebSocketFrame) {
            byte[] packet = ByteBufUtil.getBytes(frame.content());
            if (EngineSession.isPacket(packet, "5")) {
                session.onUpgradePacketReceived(ctx.channel());
            }
            session.execute(() -> session.onWebSocketText(ctx.channel(), packet));
        } else if (frame instanceof BinaryWebSocketFrame) {
            byte[] message = ByteBufUtil.getBytes(frame.content());
            session.execute(() -> session.onWebSocketBinary(ctx.channel(), message));
        } else if (frame instanceof PingWebSocketFrame) {
            // not while the client takes nothing in: pongs would pile up without bound where every other frame
            // counts against the untaken-data limit. The latest ping is answered once it takes data again (RFC 6455
            // lets a pong answer only the latest ping)
            if (ctx.channel().isWritable()) {
                ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
            } else {
                releaseUnansweredPing();
                unansweredPing = frame.content().retain();
            }
        } else if (frame instanceof CloseWebSocketFrame) {
            close(ctx.channel());
        }
    }

    /**
     * Ends a WebSocket as its protocol wants, with a close frame and then the connection, but never waits on a
     * client that reads no more: when the channel cannot take the frame it closes at once, and otherwise at the
     * latest {@value #CLOSE_TIMEOUT_SECONDS} s later. Waiting for the frame to be written would keep a
     * non-reading client's connection, and all that was queued for it, for ever.
     */
    static void close(Channel channel) {
        if (channel.attr(CLOSING).getAndSet(Boolean.TRUE) != null) {
            return; // its close frame is on its way, and its close scheduled
        }
        if (!channel.isWritable()) {
            channel.close();
            return;
        }
        WebSocketCloseStatus status = channel.attr(CLOSE_STATUS).get();
        channel.writeAndFlush(status == null ? new CloseWebSocketFrame() : new CloseWebSocketFrame(status))
                .addListener(ChannelFutureListener.CLOSE);
        ScheduledFuture<?> forced = channel.eventLoop().schedule(() -> channel.close(), CLOSE_TIMEOUT_SECONDS,
                TimeUnit.SECONDS);
        channel.closeFuture().addListener(closed -> forced.cancel(false));
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        ByteBuf ping = unansweredPing;
        if (ping != null && ctx.channel().isWritable()) {
            unansweredPing = null;
            ctx.writeAndFlush(new PongWebSocketFrame(ping));
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseUnansweredPing();
    }

    private void releaseUnansweredPing() {
        if (unansweredPing != null) {
            unansweredPing.release();
            unansweredPing = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        session.execute(() -> session.onWebSocketClosed(ctx.channel()));
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // an oversized or broken frame: the connection cannot be trusted any more. A transport error, as the
        // reference server says, not the transport close its closing would otherwise be taken for
        log.debug("Closing the WebSocket of session {} from {}: {}", session.id(), ctx.channel().remoteAddress(),
                cause.toString());
        boolean tooLong = cause instanceof TooLongFrameException;
        if (tooLong) {
            // a message of fragments adding up past max-payload: its close says 1009, as the decoder's does for one
            // frame too large, whoever closes it first (the session's close, or the one below)
            ctx.channel().attr(CLOSE_STATUS).set(WebSocketCloseStatus.MESSAGE_TOO_BIG);
        }
        session.execute(() -> session.onWebSocketFailed(ctx.channel()));
        if (tooLong) {
            close(ctx.channel());
        } else {
            ctx.close();
        }
    }
}
