package io.github.siodistributor.core.engine;

import io.netty.buffer.ByteBuf;
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
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.nio.charset.StandardCharsets;

/** The HTTP answers of the Engine.IO server, each with its CORS headers and keep-alive handling. */
final class HttpReplies {

    private HttpReplies() {
    }

    /** Where an answer goes: the request's channel, whether it may stay open, and its origin for CORS. */
    record Requester(ChannelHandlerContext ctx, boolean keepAlive, String origin) {
    }

    static void text(Requester to, EngineSettings settings, byte[] body) {
        send(to, settings, HttpResponseStatus.OK, "text/plain; charset=UTF-8", Unpooled.wrappedBuffer(body));
    }

    static void error(Requester to, EngineSettings settings, EngineError error) {
        send(to, settings, HttpResponseStatus.valueOf(error.httpStatus()), "application/json",
                Unpooled.wrappedBuffer(error.body()));
    }

    /** A request the HTTP decoder could not read whole: what was wrong, as Node's HTTP server says it. */
    static void undecodable(Requester to, EngineSettings settings, Throwable cause) {
        HttpResponseStatus status = cause instanceof TooLongHttpHeaderException
                ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                : cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                : HttpResponseStatus.BAD_REQUEST;
        send(to, settings, status, "text/plain; charset=UTF-8", Unpooled.copiedBuffer(status.reasonPhrase(),
                StandardCharsets.US_ASCII));
    }

    static void preflight(Requester to, EngineSettings settings, String requestedHeaders) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
        cors(response, to.origin(), settings);
        if (to.origin() != null && settings.allowsOrigin(to.origin())) {
            response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, OPTIONS");
            if (requestedHeaders != null) {
                response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, requestedHeaders);
            }
        }
        write(to, response);
    }

    private static void send(Requester to, EngineSettings settings, HttpResponseStatus status, String contentType,
            ByteBuf body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        cors(response, to.origin(), settings);
        write(to, response);
    }

    /**
     * A listed origin is echoed and may send credentials (cookies); with {@code *}, any origin may read the answers,
     * but without credentials, as with Socket.IO's {@code cors: {origin: "*"}}: echoing every origin with credentials
     * would let any web site run a session on its visitors' cookies.
     */
    private static void cors(FullHttpResponse response, String origin, EngineSettings settings) {
        if (origin == null) {
            return;
        }
        if (settings.corsOrigins().contains(origin)) {
            response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
            response.headers().set(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
        } else if (settings.allowsOrigin(origin)) {
            response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
        }
    }

    private static void write(Requester to, FullHttpResponse response) {
        HttpUtil.setContentLength(response, response.content().readableBytes());
        if (to.keepAlive()) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            to.ctx().writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            to.ctx().writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
