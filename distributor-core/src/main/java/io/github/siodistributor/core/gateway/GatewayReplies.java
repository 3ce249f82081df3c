package io.github.siodistributor.core.gateway;

import io.github.siodistributor.core.engine.EngineError;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** The answers a gateway gives itself, without a worker: complete HTTP responses with a JSON body. */
final class GatewayReplies {

    /** Seconds a client is asked to wait when no worker is live: about one refresh of the gateway's view. */
    static final int RETRY_AFTER_SECONDS = 1;
    private static final byte[] NO_WORKER = ("{\"code\":503,\"message\":\"No distributor worker is available; "
            + "try again later\"}").getBytes(StandardCharsets.UTF_8);

    private GatewayReplies() {
    }

    /** Engine.IO's own error, as a worker would answer it: for a session whose worker is gone, {@code UNKNOWN_SID}. */
    static void engineError(ChannelHandlerContext ctx, EngineError error, boolean keepAlive) {
        send(ctx, response(HttpResponseStatus.valueOf(error.httpStatus()), error.body()), keepAlive);
    }

    /** 503: no live worker could take a new session. */
    static void noWorker(ChannelHandlerContext ctx, boolean keepAlive) {
        FullHttpResponse response = response(HttpResponseStatus.SERVICE_UNAVAILABLE, NO_WORKER);
        response.headers().set(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
        send(ctx, response, keepAlive);
    }

    private static FullHttpResponse response(HttpResponseStatus status, byte[] body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        HttpUtil.setContentLength(response, body.length);
        return response;
    }

    private static void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
