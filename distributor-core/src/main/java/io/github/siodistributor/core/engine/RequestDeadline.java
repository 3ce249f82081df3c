package io.github.siodistributor.core.engine;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long a client may take to send one HTTP request: its headers within {@link #HEADERS} of its first byte, the
 * whole of it within {@link #WHOLE} (Node's {@code headersTimeout} and {@code requestTimeout}). The idle timeout
 * alone starts over with every byte, so a client trickling one byte a minute would hold its connection for days.
 * Two handlers of one connection share it: one before the HTTP decoder sees a request's first bytes, one after it
 * sees the request's head and end. Both leave the pipeline when the connection becomes a WebSocket.
 */
final class RequestDeadline {

    private static final Logger log = LoggerFactory.getLogger(RequestDeadline.class);

    static final Duration HEADERS = Duration.ofSeconds(60);
    static final Duration WHOLE = Duration.ofSeconds(300);
    static final String BYTES_IN = "requestStart";
    static final String REQUESTS_OUT = "requestEnd";

    // on the connection's event loop only: one timer per request, its headers' deadline and then its whole one
    private ScheduledFuture<?> timer;
    private boolean headSeen;

    /** Adds both handlers around the HTTP decoder named {@code decoder}. */
    static void install(ChannelPipeline pipeline, String decoder) {
        RequestDeadline deadline = new RequestDeadline();
        pipeline.addBefore(decoder, BYTES_IN, deadline.new FirstBytes());
        pipeline.addAfter(decoder, REQUESTS_OUT, deadline.new HeadAndEnd());
    }

    /** Takes both handlers out (the connection is a WebSocket now, whose frames have deadlines of their own). */
    static void uninstall(ChannelPipeline pipeline) {
        if (pipeline.get(BYTES_IN) != null) {
            pipeline.remove(BYTES_IN);
        }
        if (pipeline.get(REQUESTS_OUT) != null) {
            pipeline.remove(REQUESTS_OUT);
        }
    }

    private void started(ChannelHandlerContext ctx) {
        headSeen = false;
        timer = ctx.executor().schedule(() -> headersDue(ctx), HEADERS.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void headersDue(ChannelHandlerContext ctx) {
        if (!headSeen) {
            closeLate(ctx, "its headers", HEADERS);
            return;
        }
        timer = ctx.executor().schedule(() -> closeLate(ctx, "the whole of it", WHOLE),
                WHOLE.minus(HEADERS).toNanos(), TimeUnit.NANOSECONDS);
    }

    private static void closeLate(ChannelHandlerContext ctx, String what, Duration limit) {
        log.debug("Closing {}: a request did not send {} within {} s", ctx.channel(), what, limit.toSeconds());
        ctx.channel().close();
    }

    private void ended() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** Before the decoder: the first bytes of a request start its deadlines. */
    private final class FirstBytes extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (timer == null && msg instanceof ByteBuf bytes && bytes.isReadable()) {
                started(ctx);
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            ended();
        }
    }

    /** After the decoder: a request's head meets the first deadline, its end the second. */
    private final class HeadAndEnd extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest) {
                headSeen = true;
            }
            if (msg instanceof LastHttpContent) {
                ended();
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ended();
            ctx.fireChannelInactive();
        }
    }
}
