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
 * How long a client may take to send one HTTP request: its headers within {@code headers} of its first byte, the
 * whole of it within {@code whole}. The idle timeout alone starts over with every byte, so a client trickling one
 * byte a minute would hold its connection for days. Two handlers of one connection share its state: one before the
 * HTTP decoder sees a request's first bytes, one after it sees the request's head and end. Both leave the pipeline
 * when the connection becomes a WebSocket (or, at the gateway, a pipe to a worker's).
 *
 * @param headers how long after its first byte a request's headers may come
 * @param whole how long after its first byte the whole request may come
 */
public record RequestDeadline(Duration headers, Duration whole) {

    /** Node's HTTP server's {@code headersTimeout} and {@code requestTimeout}. */
    public static final RequestDeadline NODE = new RequestDeadline(Duration.ofSeconds(60), Duration.ofSeconds(300));

    private static final Logger log = LoggerFactory.getLogger(RequestDeadline.class);

    static final String BYTES_IN = "requestStart";
    static final String REQUESTS_OUT = "requestEnd";

    public RequestDeadline {
        if (headers.isNegative() || headers.isZero() || whole.compareTo(headers) < 0) {
            throw new IllegalArgumentException("request deadlines must be positive, the whole request's no shorter "
                    + "than its headers'; got headers " + headers + ", whole " + whole);
        }
    }

    /** Adds both handlers around the HTTP decoder named {@code decoder}. */
    public void install(ChannelPipeline pipeline, String decoder) {
        Clock clock = new Clock();
        pipeline.addBefore(decoder, BYTES_IN, clock.new FirstBytes());
        pipeline.addAfter(decoder, REQUESTS_OUT, clock.new HeadAndEnd());
    }

    /** Takes both handlers out (the connection is a WebSocket now, whose frames have deadlines of their own). */
    public static void uninstall(ChannelPipeline pipeline) {
        if (pipeline.get(BYTES_IN) != null) {
            pipeline.remove(BYTES_IN);
        }
        if (pipeline.get(REQUESTS_OUT) != null) {
            pipeline.remove(REQUESTS_OUT);
        }
    }

    private static void closeLate(ChannelHandlerContext ctx, String what, Duration limit) {
        log.debug("Closing {}: a request did not send {} within {} s", ctx.channel(), what, limit.toSeconds());
        ctx.channel().close();
    }

    /** One connection's: on its event loop only, one timer per request, its headers' deadline and then its whole one. */
    private final class Clock {

        private ScheduledFuture<?> timer;
        private boolean headSeen;

        private void started(ChannelHandlerContext ctx) {
            headSeen = false;
            timer = ctx.executor().schedule(() -> headersDue(ctx), headers.toNanos(), TimeUnit.NANOSECONDS);
        }

        private void headersDue(ChannelHandlerContext ctx) {
            if (!headSeen) {
                closeLate(ctx, "its headers", headers);
                return;
            }
            timer = ctx.executor().schedule(() -> closeLate(ctx, "the whole of it", whole),
                    whole.minus(headers).toNanos(), TimeUnit.NANOSECONDS);
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
}
