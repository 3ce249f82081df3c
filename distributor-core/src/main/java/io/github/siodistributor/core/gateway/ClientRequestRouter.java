package io.github.siodistributor.core.gateway;

import io.github.siodistributor.core.engine.EngineError;
import io.github.siodistributor.core.engine.RequestDeadline;
import io.github.siodistributor.core.engine.RequestQuery;
import io.github.siodistributor.core.protocol.SocketIds;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection's requests, each sent on by itself: a request with a {@code sid} to the worker the sid
 * names, one without to the worker the balancing method picks, so that keep-alive connections carrying several
 * sessions route every request right. One request is under way at a time (pipelined ones wait their turn); the
 * worker's response is passed on as it comes and flushed once whole (a polling response is one payload). A
 * WebSocket upgrade gets a connection of its own to the worker, and once the worker switched protocols both
 * connections become a {@link BytePipe}. Keep-alive connections to the workers are kept per client connection, on
 * its event loop, so nothing here is shared between threads.
 */
final class ClientRequestRouter extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(ClientRequestRouter.class);

    /**
     * Requests a client may pipeline behind the one under way. Engine.IO clients never pipeline (browsers and
     * Node's agent do not), but Netty's aggregator reads on while a body is partial whatever auto-read says: without
     * a bound one connection could make the gateway hold any number of bodies of up to max-request-size.
     */
    static final int MAX_PIPELINED = 4;

    private final LiveWorkers workers;
    private final Bootstrap workerBootstrap;
    /** How long a worker may take to begin answering a new session's first request (the connect timeout). */
    private final long newSessionAnswerMillis;
    private final String scheme;
    private final boolean trustForwardedHeaders;
    /** Keep-alive connections to the workers this client's requests went to, by worker id. */
    private final Map<String, Channel> workerConnections = new HashMap<>();
    private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    /** The request under way, or null. */
    private Exchange exchange;

    /** A request on its way to a worker. */
    private static final class Exchange {
        final FullHttpRequest request;
        final boolean newSession;
        final boolean upgrade;
        boolean keepAlive;
        WorkerTarget target;
        Channel worker;
        boolean reusedConnection;
        boolean answered;
        boolean switchingProtocols;
        /** Its sid named a worker not known here, and the directory was read again for it. */
        boolean askedForRead;
        /** A new session's wait for its worker to begin answering; cancelled by the answer. */
        ScheduledFuture<?> answerDeadline;

        Exchange(FullHttpRequest request, boolean newSession, boolean upgrade) {
            this.request = request;
            this.newSession = newSession;
            this.upgrade = upgrade;
            this.keepAlive = HttpUtil.isKeepAlive(request);
        }
    }

    ClientRequestRouter(LiveWorkers workers, Bootstrap workerBootstrap, Duration newSessionAnswerTimeout, boolean tls,
            boolean trustForwardedHeaders) {
        super(false);
        this.trustForwardedHeaders = trustForwardedHeaders;
        this.workers = workers;
        this.workerBootstrap = workerBootstrap;
        this.newSessionAnswerMillis = newSessionAnswerTimeout.toMillis();
        this.scheme = tls ? "https" : "http";
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (exchange != null) {
            if (waiting.size() == MAX_PIPELINED) {
                log.debug("Closing client connection {}: more than {} requests pipelined", ctx.channel(),
                        MAX_PIPELINED);
                request.release();
                ctx.close();
                return;
            }
            waiting.add(request);
            return;
        }
        route(request);
    }

    private void route(FullHttpRequest request) {
        RequestQuery query = request.decoderResult().isSuccess() ? RequestQuery.decode(request.uri()) : null;
        if (query == null) {
            request.release();
            GatewayReplies.engineError(ctx, EngineError.BAD_REQUEST, false);
            return;
        }
        String sid = query.first("sid");
        boolean upgrade = HttpHeaderValues.WEBSOCKET.contentEqualsIgnoreCase(
                request.headers().get(HttpHeaderNames.UPGRADE, ""));
        addForwardedHeaders(request);
        Exchange next = new Exchange(request, sid == null, upgrade);
        if (next.newSession) {
            routeNewSession(next);
            return;
        }
        routeToOwner(next, SocketIds.workerOf(sid));
    }

    private void routeToOwner(Exchange next, String workerId) {
        WorkerTarget owner = workerId == null ? null : workers.owner(workerId);
        if (owner != null) {
            send(next, owner, true);
        } else if (workerId == null || next.askedForRead || workers.readFailing()) {
            // the owner is dead (or the sid was never one of ours): the client must start a new session
            refuse(next, EngineError.UNKNOWN_SID);
        } else {
            // a worker that started since this gateway last read the directory may have sessions already (opened
            // through another gateway): read again before turning them away
            next.askedForRead = true;
            exchange = next;
            workers.refreshSoon().whenComplete((read, failure) -> onLoop(() -> {
                if (exchange == next) {
                    routeToOwner(next, workerId);
                }
            }));
        }
    }

    private void onLoop(Runnable task) {
        try {
            ctx.executor().execute(task);
        } catch (RejectedExecutionException e) {
            // the gateway is closing, and the connection with it
        }
    }

    private void addForwardedHeaders(FullHttpRequest request) {
        ForwardedHeaders.apply(request.headers(), ctx.channel().remoteAddress(), scheme, trustForwardedHeaders);
    }

    private void routeNewSession(Exchange next) {
        WorkerTarget target = workers.pick();
        if (target == null) {
            exchange = null;
            next.request.release();
            GatewayReplies.noWorker(ctx, next.keepAlive);
            continueWith(next.keepAlive);
        } else {
            send(next, target, true);
        }
    }

    private void refuse(Exchange refused, EngineError error) {
        exchange = null;
        refused.request.release();
        GatewayReplies.engineError(ctx, error, refused.keepAlive);
        continueWith(refused.keepAlive);
    }

    /** Sends the request on a kept connection to {@code target} when {@code mayReuse} and there is one, else on a new one. */
    private void send(Exchange next, WorkerTarget target, boolean mayReuse) {
        exchange = next;
        next.target = target;
        Channel kept = next.upgrade || !mayReuse ? null : workerConnections.get(target.id);
        if (kept != null && kept.isActive()) {
            next.reusedConnection = true;
            write(next, kept);
            return;
        }
        workerBootstrap.clone(ctx.channel().eventLoop()).handler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel channel) {
                channel.pipeline().addLast("httpCodec", new HttpClientCodec());
                channel.pipeline().addLast("relay", new WorkerResponseRelay(ClientRequestRouter.this));
            }
        }).connect(target.socketAddress).addListener((ChannelFuture connected) -> {
            if (exchange != next) {
                // the client went away meanwhile
                connected.channel().close();
            } else if (connected.isSuccess()) {
                target.track(connected.channel());
                if (!next.upgrade) {
                    Channel previous = workerConnections.put(target.id, connected.channel());
                    if (previous != null) {
                        previous.close();
                    }
                }
                next.reusedConnection = false;
                write(next, connected.channel());
            } else {
                workerUnreachable(next);
            }
        });
    }

    private void write(Exchange next, Channel worker) {
        next.worker = worker;
        worker.writeAndFlush(next.request.retainedDuplicate());
        if (next.newSession) {
            if (next.answerDeadline != null) {
                // sent once more (a kept connection the worker closed, or another worker): a new wait
                next.answerDeadline.cancel(false);
            }
            next.answerDeadline = ctx.executor().schedule(() -> workerSilent(next, worker), newSessionAnswerMillis,
                    TimeUnit.MILLISECONDS);
        }
        if (!next.upgrade) {
            // reading on: a client that leaves while its poll is parked at the worker is seen at once (its end
            // closes the worker's connection, which ends the session, as with no gateway between); without a read,
            // nothing would look at this connection until the worker answers. What comes meanwhile is a pipelined
            // request, kept in line. Not for an upgrade: the bytes after it are the WebSocket's
            ctx.read();
        }
    }

    /**
     * A worker that accepted the connection but did not begin to answer a new session (its process is frozen, or
     * its event loop stuck, while its lease lives on): the session goes to another worker instead of waiting for the
     * client's own timeout, which would only bring it back here.
     */
    private void workerSilent(Exchange waiting, Channel worker) {
        if (exchange != waiting || waiting.worker != worker || waiting.answered) {
            return;
        }
        log.warn("Distributor worker {} did not answer a new session within {} ms (distributor.gateway."
                + "connect-timeout): new sessions go to other workers for {} s", waiting.target,
                newSessionAnswerMillis, WorkerTarget.SILENT_BACKOFF.toSeconds());
        waiting.worker = null;
        workerConnections.values().remove(worker);
        worker.close();
        waiting.target.silent(System.nanoTime());
        routeNewSession(waiting);
    }

    /** The worker did not take the request: a new session tries another worker, a session's request gets a 400. */
    private void workerUnreachable(Exchange failed) {
        failed.target.unreachable();
        if (failed.newSession) {
            routeNewSession(failed);
        } else {
            refuse(failed, EngineError.UNKNOWN_SID);
        }
    }

    /** What a worker sends back (on this connection's event loop). */
    void fromWorker(Channel worker, Object message) {
        Exchange current = exchange;
        if (current == null || current.worker != worker) {
            // nothing was asked of that connection: not something to pass on
            ReferenceCountUtil.release(message);
            worker.close();
            return;
        }
        if (message instanceof HttpResponse response) {
            current.answered = true;
            if (current.answerDeadline != null) {
                current.answerDeadline.cancel(false);
            }
            current.keepAlive &= HttpUtil.isKeepAlive(response);
            current.switchingProtocols = current.upgrade
                    && response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code();
        }
        if (message instanceof LastHttpContent) {
            ctx.writeAndFlush(message);
            finish(current);
        } else {
            ctx.write(message);
        }
    }

    private void finish(Exchange done) {
        exchange = null;
        done.request.release();
        if (done.switchingProtocols) {
            becomePipe(done.worker);
            return;
        }
        if (done.upgrade) {
            // a refused upgrade: its connection was its own
            done.worker.close();
        }
        continueWith(done.keepAlive);
    }

    /** The next request: one that came pipelined, else a read; or the end of the connection. */
    private void continueWith(boolean keepAlive) {
        if (!keepAlive) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        FullHttpRequest next = waiting.poll();
        if (next != null) {
            route(next);
        } else {
            ctx.read();
        }
    }

    /**
     * The worker switched to WebSocket: from now on bytes go both ways unread. The client's side changes first,
     * so that no byte of the worker's reaches the client through the HTTP encoder.
     */
    private void becomePipe(Channel worker) {
        Channel client = ctx.channel();
        closeKeptConnections();
        // what the HTTP decoder made of bytes sent after the upgrade request: this handler is gone once replaced
        releaseWaiting();
        ChannelPipeline clientPipeline = client.pipeline();
        clientPipeline.replace(this, "pipe", new BytePipe(worker));
        clientPipeline.remove(HttpObjectAggregator.class);
        clientPipeline.remove(HttpServerCodec.class);
        RequestDeadline.uninstall(clientPipeline);
        ChannelPipeline workerPipeline = worker.pipeline();
        workerPipeline.replace(WorkerResponseRelay.class, "pipe", new BytePipe(client));
        workerPipeline.remove(HttpClientCodec.class);
        client.config().setAutoRead(true);
    }

    /** A worker connection ended (on this connection's event loop). */
    void workerClosed(Channel worker) {
        workerConnections.values().remove(worker);
        Exchange current = exchange;
        if (current == null || current.worker != worker) {
            return;
        }
        if (current.answered) {
            // half a response went out: nothing sensible can follow it on this connection (and the request, no
            // longer the exchange's, is released here: channelInactive will not find it)
            exchange = null;
            current.request.release();
            ctx.close();
        } else if (current.reusedConnection && !current.target.forgotten()) {
            // a kept connection the worker closed as the request went out: once more on a new one
            send(current, current.target, false);
        } else {
            // the worker died with the request (a parked poll): its session is gone
            workerUnreachable(current);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Exchange current = exchange;
        exchange = null;
        if (current != null) {
            current.request.release();
            if (current.answerDeadline != null) {
                current.answerDeadline.cancel(false);
            }
            if (current.worker != null) {
                current.worker.close();
            }
        }
        releaseWaiting();
        closeKeptConnections();
        ctx.fireChannelInactive();
    }

    private void releaseWaiting() {
        waiting.forEach(FullHttpRequest::release);
        waiting.clear();
    }

    private void closeKeptConnections() {
        workerConnections.values().forEach(Channel::close);
        workerConnections.clear();
    }

    /**
     * The connection saw no traffic for the idle timeout. Closed only with no request under way: a parked poll is
     * quiet until its worker answers, and the worker's heartbeat bounds that. Keeps half-open connections (a
     * client gone without a FIN) and idle keep-alive ones from piling up.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent && exchange == null) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // malformed HTTP, a TLS failure or an I/O error: nothing sensible can be answered on this connection
        ctx.close();
    }
}
