package io.github.siodistributor.core.gateway;

import io.github.siodistributor.core.engine.EngineServer;
import io.github.siodistributor.core.engine.RequestDeadline;
import io.github.siodistributor.core.transport.WorkerDirectory;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sticky gateway: one address in front of the live workers, for clients that cannot be sent to a worker of
 * their own (long-polling needs every request of a session on the worker that holds it). A request with a
 * {@code sid} goes to the worker the sid names, request by request; a request without one starts a session on a
 * worker chosen by {@link Balancing}; WebSocket upgrades are passed through. The live workers are read from the
 * {@link WorkerDirectory} (their lease renewals) every {@link GatewaySettings#refreshInterval()}. A session of a
 * worker that is gone gets Engine.IO's "Session ID unknown" (400) at once, so its client starts a new one; with
 * no worker at all a new session gets 503.
 */
public final class DistributorGateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DistributorGateway.class);
    /** How long a close waits for the listening socket, and for each group of event loops, to end. */
    private static final long CLOSE_WAIT_SECONDS = 10;

    private final GatewaySettings settings;
    private final LiveWorkers workers;
    private final RequestDeadline requestDeadline;
    private final ScheduledExecutorService refresher;
    private EventLoopGroup acceptors;
    private EventLoopGroup connections;
    private volatile Channel listening;
    private volatile int boundPort = -1;
    /** The TLS context new connections get: the settings' until a new certificate is loaded. */
    private volatile SslContext ssl;

    public DistributorGateway(GatewaySettings settings, WorkerDirectory directory) {
        this(settings, directory, RequestDeadline.NODE);
    }

    /** With other request deadlines than Node's: for tests, which cannot wait minutes for them. */
    DistributorGateway(GatewaySettings settings, WorkerDirectory directory, RequestDeadline requestDeadline) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.requestDeadline = Objects.requireNonNull(requestDeadline, "requestDeadline");
        this.ssl = settings.ssl();
        this.refresher = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("distributor-gateway-"
                + "directory", true));
        this.workers = new LiveWorkers(Objects.requireNonNull(directory, "directory"), settings.balancing(),
                refresher);
    }

    /** Reads the live workers, then listens; fails when the port cannot be had. */
    public synchronized void start() {
        refresh();
        long period = settings.refreshInterval().toMillis();
        refresher.scheduleWithFixedDelay(this::refresh, period, period, TimeUnit.MILLISECONDS);
        acceptors = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("distributor-gateway-accept"),
                NioIoHandler.newFactory());
        connections = new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory("distributor-gateway"),
                NioIoHandler.newFactory());
        // addresses are resolved when the directory is read, never on an event loop
        Bootstrap toWorkers = new Bootstrap().channel(NioSocketChannel.class)
                .resolver(NoopAddressResolverGroup.INSTANCE)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        settings.connectTimeout().toMillis()))
                .option(ChannelOption.TCP_NODELAY, true);
        ServerBootstrap server = new ServerBootstrap().group(acceptors, connections)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        ChannelPipeline pipeline = channel.pipeline();
                        SslContext current = ssl;
                        if (current != null) {
                            pipeline.addLast("tls", current.newHandler(channel.alloc()));
                        }
                        pipeline.addLast("idle", new IdleStateHandler(0, 0, settings.idleTimeout().toMillis(),
                                TimeUnit.MILLISECONDS));
                        pipeline.addLast("httpCodec", EngineServer.httpServerCodec());
                        pipeline.addLast("httpAggregator", new RequestSizeLimit(settings.maxRequestSize()));
                        pipeline.addLast("router", new ClientRequestRouter(workers, toWorkers,
                                settings.connectTimeout(), settings.ssl() != null, settings.trustForwardedHeaders()));
                        // the idle timeout starts over with every byte: alone, it lets a trickled request hold a
                        // connection for as long as its client likes
                        requestDeadline.install(pipeline, "httpCodec");
                    }
                });
        InetSocketAddress address = settings.host() == null ? new InetSocketAddress(settings.port())
                : new InetSocketAddress(settings.host(), settings.port());
        try {
            listening = server.bind(address).syncUninterruptibly().channel();
        } catch (Exception e) {
            close();
            throw new IllegalStateException("The distributor gateway cannot listen on " + (settings.host() == null
                    ? "*" : settings.host()) + ":" + settings.port() + ": " + e.getMessage()
                    + " (set distributor.gateway.port to a free port)", e);
        }
        boundPort = ((InetSocketAddress) listening.localAddress()).getPort();
        log.info("Distributor gateway listening on {}:{} ({}, {}), {} live worker(s)", settings.host() == null ? "*"
                : settings.host(), boundPort, settings.ssl() == null ? "http" : "https", settings.balancing(),
                workers.known().size());
    }

    private void refresh() {
        try {
            workers.refresh();
        } catch (RuntimeException e) {
            // logged where the read's state changes (LiveWorkers), whoever's read it was
        }
    }

    /**
     * Serves {@code next} to the connections made from now on (a renewed certificate); those open keep theirs.
     *
     * @throws IllegalStateException when the gateway was not configured for TLS
     */
    public void reloadSsl(SslContext next) {
        Objects.requireNonNull(next, "next");
        if (settings.ssl() == null) {
            throw new IllegalStateException("this gateway serves plain HTTP: there is no TLS context to replace");
        }
        ssl = next;
        log.info("The distributor gateway serves a reloaded TLS key and certificate to new connections");
    }

    /** The port the gateway listens on (useful with port 0), or -1 when it does not listen. */
    public int port() {
        return boundPort;
    }

    /** The live workers as last read, with the connection counts least-connection balancing uses. */
    public List<KnownWorker> workers() {
        return workers.known();
    }

    /**
     * Whether the gateway reads the live workers from Redis: its last read succeeded, within three refresh
     * intervals (at least 3 s). Otherwise it routes by the last view it read.
     */
    public boolean readsLiveWorkers() {
        long stale = Math.max(3 * settings.refreshInterval().toNanos(), TimeUnit.SECONDS.toNanos(3));
        return !workers.readFailing() && workers.nanosSinceLastRead() <= stale;
    }

    /** How long ago the live workers were last read from Redis, in milliseconds. */
    public long millisSinceLiveWorkersRead() {
        return TimeUnit.NANOSECONDS.toMillis(workers.nanosSinceLastRead());
    }

    /** Reads the live workers now rather than at the next refresh. */
    public void refreshNow() {
        refresh();
    }

    /** Stops listening and closes every client connection and its worker connections. */
    @Override
    public synchronized void close() {
        refresher.shutdownNow();
        Channel channel = listening;
        listening = null;
        boundPort = -1;
        if (channel != null && !channel.close().awaitUninterruptibly(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
            log.warn("The distributor gateway's listening socket did not close within {} s; stopping without it",
                    CLOSE_WAIT_SECONDS);
        }
        if (acceptors != null) {
            // bounded: a loop that cannot end (its thread died) must not hold the application's stop for good
            awaitShutdown(acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS), "accepting");
            awaitShutdown(connections.shutdownGracefully(0, 2, TimeUnit.SECONDS), "connection");
            acceptors = null;
            connections = null;
        }
    }

    private static void awaitShutdown(Future<?> shutdown, String loops) {
        if (!shutdown.awaitUninterruptibly(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
            log.warn("The distributor gateway's {} event loops did not end within {} s; stopping without them",
                    loops, CLOSE_WAIT_SECONDS);
        }
    }
}
