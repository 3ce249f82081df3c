package io.github.siodistributor.core.engine;

import io.github.siodistributor.core.engine.HttpReplies.Requester;
import io.github.siodistributor.core.protocol.LoggedText;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes the HTTP requests of one connection: handshakes, polls and posts of long-polling sessions,
 * and WebSocket upgrades (new sessions or probes of polling ones). Checks the protocol version,
 * transport and method the way the reference server does, with its error codes.
 */
final class EngineHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(EngineHttpHandler.class);

    static final String PATH = "/socket.io/";

    private final EngineServer server;
    private EngineSession pollingSession;

    EngineHttpHandler(EngineServer server) {
        this.server = server;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        EngineSettings settings = server.settings();
        if (request.decoderResult().isFailure()) {
            // the decoder gave up on it (headers or line too long, malformed) and drops all that follows on this
            // connection: answered and closed, not handled as if it were whole
            HttpReplies.undecodable(new Requester(ctx, false, origin), settings, request.decoderResult().cause());
            return;
        }
        RequestQuery query = RequestQuery.decode(request.uri());
        Requester requester = new Requester(ctx, HttpUtil.isKeepAlive(request), origin);
        if (query == null || !query.path().equals(PATH) && !query.path().equals(PATH.substring(0, PATH.length() - 1))) {
            HttpReplies.error(requester, settings, EngineError.BAD_REQUEST);
            return;
        }
        String sid = query.first("sid");
        server.countRequest(sid != null && server.session(sid) == null);
        if (HttpMethod.OPTIONS.equals(request.method())) {
            HttpReplies.preflight(requester, settings,
                    request.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS));
            return;
        }
        if (!"4".equals(query.first("EIO"))) {
            HttpReplies.error(requester, settings, EngineError.UNSUPPORTED_PROTOCOL_VERSION);
            return;
        }
        String transport = query.first("transport");
        if (!"polling".equals(transport) && !"websocket".equals(transport)) {
            HttpReplies.error(requester, settings, EngineError.UNKNOWN_TRANSPORT);
            return;
        }
        boolean upgradeRequest = HttpHeaderValues.WEBSOCKET.contentEqualsIgnoreCase(
                request.headers().get(HttpHeaderNames.UPGRADE, ""));
        if ((sid == null || upgradeRequest) && !settings.admitsOrigin(request.headers().get(HttpHeaderNames.ORIGIN))) {
            // a page of another site opening a session (or a WebSocket, which CORS does not cover) on its visitor's
            // cookies: refused as Engine.IO's allowRequest hook refuses
            log.debug("Refusing a request from origin {}: not in distributor.worker.allowed-origins",
                    LoggedText.of(request.headers().get(HttpHeaderNames.ORIGIN)));
            HttpReplies.error(requester, settings, EngineError.FORBIDDEN);
            return;
        }
        if ("websocket".equals(transport)) {
            if (!upgradeRequest || !HttpMethod.GET.equals(request.method())) {
                HttpReplies.error(requester, settings, EngineError.BAD_REQUEST);
            } else if (sid == null) {
                openWebSocket(ctx, request, requester, query);
            } else {
                probeWebSocket(ctx, request, requester, sid);
            }
            return;
        }
        if (sid == null) {
            if (!HttpMethod.GET.equals(request.method())) {
                HttpReplies.error(requester, settings, EngineError.BAD_HANDSHAKE_METHOD);
                return;
            }
            if (!server.reservePending(ctx.channel())) {
                HttpReplies.error(requester, settings, EngineError.FORBIDDEN);
                return;
            }
            EngineSession session = server.newSession(ctx.channel(), reservedHandshake(ctx.channel(), request, query));
            if (session == null) {
                ctx.close();
                return;
            }
            watchPolls(session);
            session.openWithPolling(requester);
            return;
        }
        EngineSession session = server.session(sid);
        if (session == null) {
            HttpReplies.error(requester, settings, EngineError.UNKNOWN_SID);
        } else if (HttpMethod.GET.equals(request.method())) {
            watchPolls(session);
            session.executePoll(() -> session.onPollRequest(requester));
        } else if (HttpMethod.POST.equals(request.method())) {
            if (HttpHeaderValues.APPLICATION_OCTET_STREAM.contentEqualsIgnoreCase(
                    request.headers().get(HttpHeaderNames.CONTENT_TYPE, ""))) {
                // Engine.IO 3's binary payload: version 4 sends binary as base64 text only, and the reference server
                // ends the session ("invalid content") rather than read these bytes as text packets
                HttpReplies.error(requester, settings, EngineError.BAD_REQUEST);
                session.close("transport error");
                return;
            }
            byte[] body = ByteBufUtil.getBytes(request.content());
            session.execute(() -> session.onPollData(requester, body));
        } else {
            HttpReplies.error(requester, settings, EngineError.BAD_REQUEST);
        }
    }

    /** A poll parked on this connection must be forgotten when the connection goes. */
    private void watchPolls(EngineSession session) {
        pollingSession = session;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // malformed HTTP or an I/O error: nothing sensible can be answered on this connection
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        EngineSession session = pollingSession;
        if (session != null) {
            session.execute(() -> session.onPollChannelClosed(ctx.channel()));
        }
        super.channelInactive(ctx);
    }

    /** The handshake of a session whose place is reserved: a failure to build it gives the place back. */
    private EngineHandshake reservedHandshake(Channel channel, FullHttpRequest request, RequestQuery query) {
        try {
            return handshakeOf(channel, request, query);
        } catch (RuntimeException e) {
            server.releasePending();
            throw e;
        }
    }

    private void openWebSocket(ChannelHandlerContext ctx, FullHttpRequest request, Requester requester,
            RequestQuery query) {
        if (!server.reservePending(ctx.channel())) {
            HttpReplies.error(requester, server.settings(), EngineError.FORBIDDEN);
            return;
        }
        EngineHandshake handshake = reservedHandshake(ctx.channel(), request, query);
        Channel channel = ctx.channel();
        upgrade(ctx, request, requester, () -> {
            EngineSession session = server.newSession(channel, handshake);
            if (session == null) {
                channel.close();
                return;
            }
            bindWebSocket(channel, session);
            session.openWithWebSocket(channel);
        }, server::releasePending);
    }

    private void probeWebSocket(ChannelHandlerContext ctx, FullHttpRequest request, Requester requester, String sid) {
        EngineSession session = server.session(sid);
        if (session == null) {
            HttpReplies.error(requester, server.settings(), EngineError.UNKNOWN_SID);
            return;
        }
        Channel channel = ctx.channel();
        upgrade(ctx, request, requester, () -> {
            // bound here, on the channel's loop, before any frame can be read; the session decides on its own
            // loop, and the frames that follow queue up behind that decision
            bindWebSocket(channel, session);
            session.webSocketConnected(channel);
            session.execute(() -> {
                if (!session.acceptProbe(channel)) {
                    // already upgraded, or another probe is under way: this socket has no place
                    channel.close();
                }
            });
        }, () -> { });
    }

    /** Answers the WebSocket handshake; then runs {@code onSuccess}, or {@code onFailure} when there is none. */
    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, Requester requester,
            Runnable onSuccess, Runnable onFailure) {
        String location = "ws://" + request.headers().get(HttpHeaderNames.HOST, "localhost") + request.uri();
        // no extension is negotiated (workers never compress): a frame with a reserved bit set is a protocol error
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(location, null, false,
                server.settings().maxPayload()).newHandshaker(request);
        if (handshaker == null) {
            onFailure.run();
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
            return;
        }
        ChannelFuture handshake;
        try {
            handshake = handshaker.handshake(ctx.channel(), request);
        } catch (WebSocketHandshakeException e) {
            // no Sec-WebSocket-Key, say: answered as ws answers it, rather than a connection closed on the client
            onFailure.run();
            HttpReplies.error(requester, server.settings(), EngineError.BAD_REQUEST);
            return;
        }
        handshake.addListener(done -> {
            if (done.isSuccess()) {
                onSuccess.run();
            } else {
                onFailure.run();
                ctx.channel().close();
            }
        });
    }

    private void bindWebSocket(Channel channel, EngineSession session) {
        ChannelPipeline pipeline = channel.pipeline();
        RequestDeadline.uninstall(pipeline);
        pipeline.addBefore("engineHttp", "wsAggregator", new WebSocketFrameAggregator(server.settings().maxPayload()));
        pipeline.replace("engineHttp", "engineWebSocket", new EngineWebSocketHandler(session));
    }

    private static EngineHandshake handshakeOf(Channel channel, FullHttpRequest request, RequestQuery query) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : request.headers().names()) {
            headers.put(name.toLowerCase(java.util.Locale.ROOT), request.headers().getAll(name));
        }
        String address = channel.remoteAddress() instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : String.valueOf(channel.remoteAddress());
        return new EngineHandshake(headers, query.parameters(), address, request.uri(), System.currentTimeMillis());
    }
}
