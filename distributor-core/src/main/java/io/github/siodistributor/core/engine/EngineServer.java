package io.github.siodistributor.core.engine;

import io.github.siodistributor.core.protocol.SocketIds;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Engine.IO v4 server as Netty handlers: HTTP long-polling and WebSocket on the path
 * {@code /socket.io/}, sessions with heartbeats, and the upgrade from one transport to the other.
 * The Socket.IO layer above it is an {@link EngineListener}.
 */
public final class EngineServer {

    /** Closes a connection from which nothing came for the idle time. */
    private static final ChannelInboundHandlerAdapter CLOSE_WHEN_IDLE = new IdleClose();

    @ChannelHandler.Sharable
    private static final class IdleClose extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof IdleStateEvent) {
                ctx.close();
            } else {
                super.userEventTriggered(ctx, event);
            }
        }
    }

    private static final Logger log = LoggerFactory.getLogger(EngineServer.class);
    private static final long MIN_IDLE_MILLIS = 60_000;

    /** Largest request headers taken, in bytes. */
    public static final int MAX_HEADER_SIZE = 16 * 1024;
    /**
     * Longest request line taken (method, URI with its query, version), in bytes: Node counts the URL within its
     * 16 KB of headers, and clients repeat their {@code query} option (often a token) in every polling URL.
     */
    public static final int MAX_REQUEST_LINE = 16 * 1024;

    private final EngineSettings settings;
    private final EngineListener listener;
    private final String ownerId;
    private final ConcurrentHashMap<String, EngineSession> sessions = new ConcurrentHashMap<>();
    private final LongAdder requests = new LongAdder();
    private final LongAdder unknownSessionRequests = new LongAdder();
    private volatile boolean shuttingDown;
    /**
     * Sessions opened and not yet in use (the layer above has not taken them: no Socket.IO namespace joined): each
     * keeps its handshake's headers and URI until its connect timeout, up to some 40 KB, so a client opening them one
     * after another on a keep-alive connection could fill the heap. Bounded here.
     */
    private final AtomicInteger pendingSessions = new AtomicInteger();
    private final LongAdder refusedSessions = new LongAdder();
    private final AtomicLong nextRefusalLogAt = new AtomicLong(System.nanoTime());

    /** A server whose session ids are random, naming no owner. */
    public EngineServer(EngineSettings settings, EngineListener listener) {
        this(settings, listener, null);
    }

    /**
     * A server whose session ids name {@code ownerId} ({@code <ownerId>.<random>}, as {@link SocketIds#of}), so
     * that a balancer in front of several servers can send every request of a session to its owner by its
     * {@code sid} alone.
     */
    public EngineServer(EngineSettings settings, EngineListener listener, String ownerId) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = Objects.requireNonNull(listener, "listener");
        if (ownerId != null) {
            SocketIds.requireValidWorkerId(ownerId);
        }
        this.ownerId = ownerId;
    }

    /** Sets up a new connection's pipeline. */
    public void initChannel(Channel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        // a live session's client sends on its connection at least once a heartbeat (its pong, or the next poll
        // the ping's answer calls for): one that sends nothing for twice a whole heartbeat is a client gone without
        // a FIN, a keep-alive connection left over, or one that never sent a request (a minute at least, whatever
        // short heartbeat a test sets). Reads only: watching writes would put a listener on every write
        long idle = Math.max(MIN_IDLE_MILLIS, 2 * settings.pingInterval().plus(settings.pingTimeout()).toMillis());
        pipeline.addLast("idle", new IdleStateHandler(idle, 0, 0, TimeUnit.MILLISECONDS));
        pipeline.addLast("idleClose", CLOSE_WHEN_IDLE);
        pipeline.addLast("httpCodec", httpServerCodec());
        pipeline.addLast("httpAggregator", new PayloadLimit(this));
        pipeline.addLast("engineHttp", new EngineHttpHandler(this));
        RequestDeadline.NODE.install(pipeline, "httpCodec");
    }

    /**
     * The HTTP decoder of client connections: up to 16 KB of headers, as Node's HTTP server takes (a browser's
     * cookies can pass Netty's default of 8 KB), and a request line of up to 16 KB besides.
     */
    public static HttpServerCodec httpServerCodec() {
        return new HttpServerCodec(new HttpDecoderConfig().setMaxHeaderSize(MAX_HEADER_SIZE)
                .setMaxInitialLineLength(MAX_REQUEST_LINE));
    }

    public EngineSettings settings() {
        return settings;
    }

    EngineListener listener() {
        return listener;
    }

    /** The open session with this id, or null. */
    public EngineSession session(String id) {
        return sessions.get(id);
    }

    /**
     * Takes a place for a new session opened by a request on {@code channel}, or refuses it (and logs so, at most every
     * 10 s) when {@link EngineSettings#maxPendingSessions} sessions are not in use yet. A place taken goes to
     * {@link #newSession}, which gives it back if it opens none. Not per connection: a proxy in front (Envoy, a cloud
     * balancer) carries many clients' handshakes on one connection.
     */
    boolean reservePending(Channel channel) {
        if (pendingSessions.incrementAndGet() <= settings.maxPendingSessions()) {
            return true;
        }
        pendingSessions.decrementAndGet();
        refusedSessions.increment();
        long now = System.nanoTime();
        long due = nextRefusalLogAt.get();
        if (now - due >= 0 && nextRefusalLogAt.compareAndSet(due, now + TimeUnit.SECONDS.toNanos(10))) {
            log.warn("Refusing new Engine.IO sessions (403, as Engine.IO refuses a handshake; the client tries again "
                    + "later), from {} and maybe others: {} sessions of this server are not in use yet "
                    + "(distributor.worker.max-pending-sessions); {} refused so far", channel.remoteAddress(),
                    settings.maxPendingSessions(), refusedSessions.sum());
        }
        return false;
    }

    /** Gives a place back, for a session no longer pending or never opened. */
    void releasePending() {
        pendingSessions.decrementAndGet();
    }

    /** Sessions opened and not yet in use. */
    public int pendingSessions() {
        return pendingSessions.get();
    }

    /** Handshakes refused because too many sessions were not in use yet. */
    public long refusedSessions() {
        return refusedSessions.sum();
    }

    /**
     * A new session on {@code channel}, holding a place taken with {@link #reservePending}, or null once
     * {@link #shutdown} began: the caller then drops the connection.
     */
    EngineSession newSession(Channel channel, EngineHandshake handshake) {
        while (true) {
            EngineSession session = new EngineSession(newSessionId(), channel.eventLoop(), this, handshake, true);
            if (sessions.putIfAbsent(session.id(), session) == null) {
                // checked after the put: shutdown() sets the flag before it lists the sessions, so a session
                // is either refused here or in that list, never neither
                if (shuttingDown) {
                    sessions.remove(session.id(), session);
                    session.inUse(); // its place back
                    return null;
                }
                return session;
            }
        }
    }

    private String newSessionId() {
        return ownerId == null ? RandomIds.next() : SocketIds.of(ownerId, RandomIds.next());
    }

    /** Counts an HTTP request (a handshake, poll, post or WebSocket upgrade); {@code unknownSession} when its sid is not ours. */
    void countRequest(boolean unknownSession) {
        requests.increment();
        if (unknownSession) {
            unknownSessionRequests.increment();
        }
    }

    /** HTTP requests received on the Engine.IO path: handshakes, polls, posts and WebSocket upgrades. */
    public long requestsReceived() {
        return requests.sum();
    }

    /** Of {@link #requestsReceived()}, those for a session this server does not hold (answered 400 at once). */
    public long unknownSessionRequests() {
        return unknownSessionRequests.sum();
    }

    /**
     * Bodies up to {@code maxPayload}; a larger POST gets 413, as from the reference server, and its
     * session ends: a client that sends more than it was told it may is not to be trusted further.
     */
    private static final class PayloadLimit extends HttpObjectAggregator {
        private final EngineServer server;
        /** The session whose POST body this connection is receiving, if any. */
        private EngineSession receivingFor;
        /** Dropping what is left of a body refused from its head. */
        private boolean discardingBody;

        PayloadLimit(EngineServer server) {
            super(server.settings().maxPayload());
            this.server = server;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (discardingBody) {
                // the rest of a body refused from its head
                discardingBody = !(msg instanceof LastHttpContent);
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof HttpRequest request && !(msg instanceof FullHttpRequest)
                    && !HttpMethod.GET.equals(request.method()) && !HttpMethod.OPTIONS.equals(request.method())) {
                EngineSession session = sessionOf(request);
                if (session == null) {
                    refuseFromHead(ctx, request);
                    return;
                }
                if (HttpMethod.POST.equals(request.method())) {
                    if (!session.postStarted(ctx.channel())) {
                        // Engine.IO allows one data request at a time: as the reference server, the second is
                        // answered 400 and the session closes (the rest of its body is dropped with its connection)
                        ReferenceCountUtil.release(msg);
                        discardingBody = true;
                        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
                        HttpReplies.error(new HttpReplies.Requester(ctx, false, origin), server.settings(),
                                EngineError.BAD_REQUEST);
                        session.close("transport error");
                        return;
                    }
                    receivingFor = session;
                }
            }
            super.channelRead(ctx, msg);
        }

        /**
         * A body for no session (none named, or one unknown) is refused whatever it says: answered from its head, as
         * by the reference server, and the connection closes with the body unread, instead of holding up to
         * max-payload of it first (for as long as a client takes to trickle it in).
         */
        private void refuseFromHead(ChannelHandlerContext ctx, HttpRequest request) {
            ReferenceCountUtil.release(request);
            FullHttpRequest head = new DefaultFullHttpRequest(request.protocolVersion(), request.method(),
                    request.uri(), Unpooled.EMPTY_BUFFER, request.headers().copy(), EmptyHttpHeaders.INSTANCE);
            HttpUtil.setKeepAlive(head, false);
            discardingBody = true;
            ctx.fireChannelRead(head);
        }

        @Override
        protected void finishAggregation(FullHttpMessage aggregated) throws Exception {
            postEnded();
            super.finishAggregation(aggregated);
        }

        /**
         * Netty refused an {@code Expect} header (417, or 413 for a declared length over the limit) and drops the
         * body: the POST ends here, and the session with it, as for one over the limit.
         */
        @Override
        protected boolean ignoreContentAfterContinueResponse(Object response) {
            boolean ignored = super.ignoreContentAfterContinueResponse(response);
            if (ignored) {
                postAbandoned(receivingFor);
            }
            return ignored;
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            postEnded();
            super.channelInactive(ctx);
        }

        private void postEnded() {
            EngineSession session = receivingFor;
            if (session != null) {
                receivingFor = null;
                session.postEnded(ctx().channel());
            }
        }

        /** A body Netty answered and dropped (too large, or its Expect refused): its session closes with it. */
        private void postAbandoned(EngineSession session) {
            postEnded();
            if (session != null) {
                session.close("transport error");
            }
        }

        private EngineSession sessionOf(HttpRequest request) {
            RequestQuery query = RequestQuery.decode(request.uri());
            String sid = query == null ? null : query.first("sid");
            return sid == null ? null : server.session(sid);
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
            postAbandoned(oversized instanceof HttpRequest request ? sessionOf(request) : null);
            super.handleOversizedMessage(ctx, oversized);
        }
    }

    void remove(EngineSession session) {
        sessions.remove(session.id(), session);
    }

    public int sessionCount() {
        return sessions.size();
    }

    public Collection<EngineSession> sessions() {
        return List.copyOf(sessions.values());
    }

    /**
     * Refuses new sessions from now on (their connections are dropped, as by a stopped server, even when they
     * arrive on connections accepted earlier) and sends every open session's client away: a WebSocket gets
     * its close frame, a parked poll Engine.IO's close packet, so the client reconnects, behind a balancer
     * to another server. The layer above hears {@code reason} for each session. The result completes once
     * every session's close has run on its event loop, so whatever the layer above does on close (tell
     * the backends) has been started by then.
     */
    public CompletableFuture<Void> shutdown(String reason) {
        shuttingDown = true;
        return sendAllAway(reason);
    }

    /**
     * Sends every open session's client away as {@link #shutdown} does (each reconnects at once, and gets a new
     * session), but goes on taking new sessions.
     */
    public CompletableFuture<Void> sendAllAway(String reason) {
        return CompletableFuture.allOf(sessions().stream().map(session -> session.closeForShutdown(reason))
                .toArray(CompletableFuture[]::new));
    }

}
