package io.github.siodistributor.core.worker;

import com.corundumstudio.socketio.Configuration;
import io.github.siodistributor.core.engine.EngineListener;
import io.github.siodistributor.core.engine.EngineServer;
import io.github.siodistributor.core.engine.EngineSession;
import io.github.siodistributor.core.engine.EngineSettings;
import io.github.siodistributor.core.engine.Fanout;
import io.github.siodistributor.core.engine.Frame;
import io.github.siodistributor.core.engine.RandomIds;
import io.github.siodistributor.core.metrics.NamespaceStats;
import io.github.siodistributor.core.protocol.ClientErrors;
import io.github.siodistributor.core.protocol.LoggedText;
import io.github.siodistributor.core.protocol.Handshake;
import io.github.siodistributor.core.protocol.Message.AckReply;
import io.github.siodistributor.core.protocol.Message.Broadcast;
import io.github.siodistributor.core.protocol.Message.BroadcastSent;
import io.github.siodistributor.core.protocol.Message.BroadcastWithAck;
import io.github.siodistributor.core.protocol.Message.ClientAck;
import io.github.siodistributor.core.protocol.Message.ConnectDecision;
import io.github.siodistributor.core.protocol.Message.DisconnectSocket;
import io.github.siodistributor.core.protocol.Message.DisconnectSockets;
import io.github.siodistributor.core.protocol.Message.EmitToSocket;
import io.github.siodistributor.core.protocol.Message.EmitWithAck;
import io.github.siodistributor.core.protocol.Message.FetchRooms;
import io.github.siodistributor.core.protocol.Message.FetchSockets;
import io.github.siodistributor.core.protocol.Message.InstanceAnnouncement;
import io.github.siodistributor.core.protocol.Message.JoinRooms;
import io.github.siodistributor.core.protocol.Message.LeaveRooms;
import io.github.siodistributor.core.protocol.Message.RoomsFetched;
import io.github.siodistributor.core.protocol.Message.SelectionCommand;
import io.github.siodistributor.core.protocol.Message.SetSocketData;
import io.github.siodistributor.core.protocol.Message.SocketCommand;
import io.github.siodistributor.core.protocol.Message.SocketConnected;
import io.github.siodistributor.core.protocol.Message.SocketDisconnected;
import io.github.siodistributor.core.protocol.Message.SocketEvent;
import io.github.siodistributor.core.protocol.Message.SocketInfo;
import io.github.siodistributor.core.protocol.Message.SocketReleased;
import io.github.siodistributor.core.protocol.Message.SocketsFetched;
import io.github.siodistributor.core.protocol.Message.SocketsJoin;
import io.github.siodistributor.core.protocol.Message.SocketsLeave;
import io.github.siodistributor.core.protocol.Message;
import io.github.siodistributor.core.protocol.Payload;
import io.github.siodistributor.core.protocol.ReplyParts;
import io.github.siodistributor.core.protocol.ServedNamespaces;
import io.github.siodistributor.core.protocol.SocketIds;
import io.github.siodistributor.core.protocol.WorkerRun;
import io.github.siodistributor.core.socketio.InvalidPacketException;
import io.github.siodistributor.core.socketio.SocketIoPacket;
import io.github.siodistributor.core.socketio.SocketIoPacketDecoder;
import io.github.siodistributor.core.socketio.SocketIoPacketEncoder;
import io.github.siodistributor.core.transport.BackendRegistry;
import io.github.siodistributor.core.transport.DroppedMessages.Cause;
import io.github.siodistributor.core.transport.MessageBus;
import io.github.siodistributor.core.transport.WorkerLeases;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A distributor worker: holds client connections and knows nothing of the application. It speaks
 * Engine.IO/Socket.IO to the clients ({@link EngineServer}, on netty-socketio's server bootstrap and the
 * {@link WorkerEventLoops}),
 * forwards each namespace connect, event and disconnect to the namespace's backend channel, and carries
 * out what the backends send back: per-socket commands on its own channel, broadcasts and other commands
 * about selected sockets on the namespace broadcast channels (a broadcast is encoded once here, then
 * written to every recipient).
 */
public final class DistributorWorker implements EngineListener, AutoCloseable {

    static final String CLIENT_DISCONNECT = "client namespace disconnect";
    static final String SERVER_DISCONNECT = "server namespace disconnect";
    static final String FORCED_SERVER_CLOSE = "forced server close";
    /**
     * The disconnect reason backends hear for the sockets of a worker that is closed (a graceful shutdown,
     * SIGTERM): Socket.IO's own reason for a server that shuts down. The clients are sent away and reconnect;
     * compare {@code DistributorBackend.WORKER_LOST} for a worker that died.
     */
    public static final String SHUTTING_DOWN = "server shutting down";
    /** The disconnect reason backends hear for the sockets of a worker whose id another worker took. */
    public static final String TAKEN_OVER = "worker id taken over";
    /** How long {@link #close()} waits for its clients' disconnects to reach Redis before it gives up on them. */
    static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);
    /**
     * What a recovery or a fetch's answer adds around a socket's description: the namespace, ids, counts, the
     * reason. Namespace names and ids are short; a generous 4 KiB.
     */
    static final long DESCRIPTION_ENVELOPE = 4096;

    private static final Logger log = LoggerFactory.getLogger(DistributorWorker.class);
    private static final byte[] EMPTY_AUTH = {'{', '}'};

    private final WorkerSettings settings;
    private final ServedNamespaces served;
    private final MessageBus bus;
    /** The most a socket's description may take: the largest message, less room for the envelope around it. */
    private final long descriptionLimit;
    private final EngineServer engine;
    private final WorkerSocketIoServer server;
    /** The loops of {@link #server}, or null when they are someone else's (they outlive this worker then). */
    private final WorkerEventLoops ownLoops;
    /** The loops {@link #server} runs on: {@link #ownLoops} or someone else's. */
    private final WorkerEventLoops loops;
    private final WorkerStats stats = new WorkerStats();
    private final Rooms rooms = new Rooms();
    private final Map<String, WorkerSocket> sockets = new ConcurrentHashMap<>();
    private final List<MessageBus.Subscription> subscriptions = new ArrayList<>();
    /** Ack ids for the clients, unique on this worker: a broadcast with ack gives all recipients the same one. */
    private final AtomicLong nextAckId = new AtomicLong();
    private volatile int boundPort = -1;
    private final WorkerLeases leases;
    private final Duration leaseTtl;
    private volatile WorkerLeases.Lease lease;
    /** This start's run: its id starts every socket id, and the lease holds it. */
    private volatile WorkerRun run;
    private final SocketRouter router;
    /** The listening socket, closed first at shutdown. */
    private volatile Channel acceptor;
    private volatile boolean closing;
    /** What was published while closing: the bus must not stop before Redis has it. */
    private final Set<CompletableFuture<Long>> lastPublishes = ConcurrentHashMap.newKeySet();

    /** A worker on event loops of its own ({@link WorkerEventLoops#DEFAULT_THREADS}), stopped when it closes. */
    public DistributorWorker(WorkerSettings settings, EngineSettings engineSettings, MessageBus bus,
            WorkerLeases leases, Duration leaseTtl, BackendRegistry registry, BackendRouting routing) {
        this(settings, engineSettings, bus, leases, leaseTtl, registry, routing, null);
    }

    /**
     * @param leases the workers' leases ({@link WorkerLeases}), or null for none: then nothing stops a second
     *        worker with this id, and backends cannot see this one die
     * @param registry where backend instances announce their liveness, or null to know instances only from
     *        their announcements (dead instances are then never noticed)
     * @param loops the event loops for the client connections, shared with the bus's Redis connections (see
     *        {@link WorkerEventLoops}); they stay running when the worker closes. Null: loops of its own.
     */
    public DistributorWorker(WorkerSettings settings, EngineSettings engineSettings, MessageBus bus,
            WorkerLeases leases, Duration leaseTtl, BackendRegistry registry, BackendRouting routing,
            WorkerEventLoops loops) {
        this.leases = leases;
        this.leaseTtl = leaseTtl;
        this.settings = settings;
        this.served = new ServedNamespaces(settings.namespaces());
        this.bus = bus;
        this.descriptionLimit = bus.maxMessageSize() - Math.min(DESCRIPTION_ENVELOPE, bus.maxMessageSize() / 4);
        this.engine = new EngineServer(engineSettings, this, settings.workerId());
        this.router = new SocketRouter(settings.workerId(), bus, settings.channels(), registry, routing,
                served.specs(), stats, sockets::values, this::disconnectForNoBackend);
        Configuration configuration = new Configuration();
        configuration.setHostname(settings.host());
        configuration.setPort(settings.port());
        // a restarted worker must get its port back while the old connections linger in TIME_WAIT
        configuration.getSocketConfig().setReuseAddress(true);
        this.ownLoops = loops == null ? new WorkerEventLoops(WorkerEventLoops.DEFAULT_THREADS) : null;
        this.loops = loops == null ? ownLoops : loops;
        server = new WorkerSocketIoServer(configuration, this.loops, new WorkerChannelInitializer(engine));
        subscriptions.add(bus.subscribe(settings.channels().worker(settings.workerId()), this::onSocketCommand));
        for (String spec : served.specs()) {
            NamespaceStats namespaceStats = stats.namespaces.of(spec);
            subscriptions.add(bus.subscribe(settings.channels().broadcast(spec),
                    message -> onNamespaceCommand(spec, namespaceStats, message)));
        }
        subscriptions.add(bus.subscribe(settings.channels().instances(), this::onAnnouncement));
    }

    /** This start of the worker: its id, and the run id that starts its sockets' ids; null before the start. */
    public WorkerRun run() {
        return run;
    }

    /** Whether this start made the socket; before the start (the bus delivers already), none is this run's. */
    private boolean madeByThisRun(String socketId) {
        WorkerRun current = run;
        return current != null && current.equals(SocketIds.runOf(socketId));
    }

    /** Takes the worker's lease, then binds the listening socket; fails when either cannot be had. */
    public void start() {
        run = new WorkerRun(settings.workerId(), RandomIds.next(WorkerRun.RUN_ID_LENGTH * 3 / 4));
        if (leases != null) {
            // a duplicate id would mix two workers' sockets and commands: refuse before any client connects
            lease = leases.acquire(run, leaseTtl, this::leaseLost);
        }
        try {
            router.start();
        } catch (RuntimeException e) {
            releaseLease();
            throw e;
        }
        ChannelFuture bound;
        try {
            bound = (ChannelFuture) server.startAsync().syncUninterruptibly();
        } catch (Exception e) {
            // nothing started is left running: the backend watch would read Redis for good, and the subscriptions
            // would keep the channels of a worker that never ran
            router.close();
            closeSubscriptions();
            releaseLease();
            // (a BindException arrives unchecked through Netty's future) loops of its own are not daemons: left running
            // they would keep the JVM alive
            stopOwnLoops();
            String why = String.valueOf(e.getMessage());
            throw new IllegalStateException("Distributor worker '" + settings.workerId() + "' cannot listen on "
                    + (settings.host() == null ? "*" : settings.host()) + ":" + settings.port() + ": " + why
                    + (why.toLowerCase(Locale.ROOT).contains("in use") ? " (set distributor.worker.port to a free port)"
                            : " (check distributor.worker.host and distributor.worker.port)"),
                    WorkerSocketIoServer.asJdkBindFailure(e));
        }
        acceptor = bound.channel();
        boundPort = ((InetSocketAddress) bound.channel().localAddress()).getPort();
        WorkerLeases.Lease held = lease;
        if (held != null) {
            // only now that it listens may gateways send it clients
            held.report(settings.advertised(boundPort), engine::sessionCount);
        }
        // the application's start-up line (with the Redis target) is logged by whoever configured the worker
        log.debug("Distributor worker '{}' listening on {}:{}, serving {}", settings.workerId(),
                settings.host() == null ? "*" : settings.host(), boundPort, settings.namespaces());
    }

    /** The transport of the loops the clients' connections run on: NIO, epoll or io_uring. */
    public WorkerTransport transport() {
        return loops.transport();
    }

    public String id() {
        return settings.workerId();
    }

    /** The port the worker listens on (useful with port 0), or -1 before {@link #start()}. */
    public int port() {
        return boundPort;
    }

    /** Bytes of client events waiting for a backend instance, on all this worker's sockets together. */
    public long heldEventBytes() {
        return router.heldEventBytes().get();
    }

    public WorkerStats stats() {
        return stats;
    }

    public WorkerSettings settings() {
        return settings;
    }

    /** The live backend instances of each namespace this worker serves (by spec), from its last registry read. */
    public Map<String, List<String>> backendInstances() {
        return router.liveInstances();
    }

    WorkerSocketIoServer socketIoServer() {
        return server;
    }

    /** The Engine.IO server: its sessions, for diagnostics. */
    public EngineServer engine() {
        return engine;
    }

    /** Connected sockets of a namespace on this worker. */
    public int connectedSockets(String namespace) {
        return rooms.size(namespace);
    }

    // ---- from the clients (each session's calls come on its event loop)

    @Override
    public void onOpen(EngineSession session) {
        ClientConnection connection = new ClientConnection(session);
        session.attach(connection);
        connection.connectTimeout = session.schedule(() -> {
            if (connection.sockets.isEmpty()) {
                session.close("forced close");
            }
        }, engine.settings().connectTimeout());
    }

    @Override
    public void onMessage(EngineSession session, Frame message) {
        ClientConnection connection = (ClientConnection) session.attachment();
        if (message.binary()) {
            if (!connection.awaitingAttachments()) {
                session.close("parse error");
                return;
            }
            int limit = engine.settings().maxPayload();
            if (!connection.attachmentFits(message.bytes().length, limit)) {
                log.debug("Closing session {}: a packet with its binary attachments over {} bytes "
                        + "(distributor.worker.max-payload)", session.id(), limit);
                session.close("parse error");
                return;
            }
            ClientConnection.Completed completed = connection.addAttachment(message.bytes());
            if (completed != null) {
                dispatch(connection, completed.packet(), completed.attachments());
            }
            return;
        }
        if (connection.awaitingAttachments()) {
            session.close("parse error");
            return;
        }
        SocketIoPacket packet;
        try {
            packet = SocketIoPacketDecoder.decode(message.bytes());
        } catch (InvalidPacketException e) {
            log.debug("Closing session {}: {}", session.id(), LoggedText.of(e.getMessage()));
            session.close("parse error");
            return;
        }
        if (packet.attachments() > 0) {
            connection.expectAttachments(packet, message.bytes().length);
        } else {
            dispatch(connection, packet, List.of());
        }
    }

    @Override
    public void onClose(EngineSession session, String reason) {
        ClientConnection connection = (ClientConnection) session.attachment();
        if (connection == null) {
            return;
        }
        if (connection.connectTimeout != null) {
            connection.connectTimeout.cancel(false);
        }
        for (WorkerSocket socket : List.copyOf(connection.sockets.values())) {
            disconnected(connection, socket, reason);
        }
    }

    private void dispatch(ClientConnection connection, SocketIoPacket packet, List<byte[]> attachments) {
        WorkerSocket socket = connection.sockets.get(packet.namespace());
        switch (packet.type()) {
            case CONNECT -> connect(connection, packet);
            case DISCONNECT -> {
                if (socket != null) {
                    disconnected(connection, socket, CLIENT_DISCONNECT);
                }
            }
            case EVENT, BINARY_EVENT -> {
                if (socket != null && socket.isAccepted()) {
                    forwardEvent(socket, packet, Payload.of(packet.data(), attachments));
                }
            }
            case ACK, BINARY_ACK -> {
                WorkerSocket.AwaitedAck awaited = socket == null ? null : socket.awaitedAcks.remove(packet.ackId());
                if (awaited != null) {
                    socket.stats.ackReceived();
                    publish(settings.channels().reply(awaited.backendId()), new ClientAck(socket.namespace, socket.id,
                            awaited.requestId(), Payload.of(packet.data(), attachments), ""));
                }
            }
            default -> log.debug("Ignoring {} from {}", packet.type(), connection.session.id());
        }
    }

    private void connect(ClientConnection connection, SocketIoPacket packet) {
        String namespace = packet.namespace();
        EngineSession session = connection.session;
        String spec = served.specFor(namespace);
        if (spec == null) {
            session.send(SocketIoPacketEncoder.connectError(namespace, "Invalid namespace"));
            return;
        }
        if (connection.sockets.containsKey(namespace)) {
            return;
        }
        byte[] auth = packet.data() == null ? EMPTY_AUTH : packet.data();
        // 12 random characters after the run id: 72 bits, the 20 characters of the other ids in all
        WorkerSocket socket = new WorkerSocket(run.socketId(RandomIds.next(9)), namespace, spec,
                session, auth, stats.namespaces.of(spec), router.heldEventBytes());
        if (!router.assign(socket) && router.routing().whenNoBackend() == BackendRouting.WhenNoBackend.DISCONNECT) {
            session.send(SocketIoPacketEncoder.connectError(namespace, SocketRouter.NO_BACKEND));
            return;
        }
        connection.sockets.put(namespace, socket);
        sockets.put(socket.id, socket);
        // the client hears "connected" only once the backend has let it in (its connect handlers ran)
        Handshake handshake = socket.handshake();
        socket.describedBy(handshake);
        router.send(socket, new SocketConnected(namespace, socket.id, handshake));
        socket.connectTimeout = session.schedule(() -> {
            List<SocketCommand> held = socket.refuse();
            if (held != null) {
                connection.sockets.remove(namespace, socket);
                sockets.remove(socket.id, socket);
                session.send(SocketIoPacketEncoder.connectError(namespace, "the namespace's backend did not answer"));
                router.send(socket, new SocketDisconnected(namespace, socket.id, "connect timeout"));
                refuseHeld(socket, held, "socket " + socket.id + " got no answer from its namespace's backend");
            }
        }, engine.settings().connectTimeout());
    }

    /** The backend's verdict on a connecting socket (on the Redis delivery thread, like every command). */
    private void decide(WorkerSocket socket, ConnectDecision decision) {
        socket.cancelConnectTimeout();
        if (decision.accepted()) {
            List<SocketCommand> held = socket.accept();
            if (held == null) {
                return;
            }
            rooms.add(socket);
            socket.stats.connected();
            socket.session.send(SocketIoPacketEncoder.connect(socket.namespace, socket.id));
            socket.session.execute(() -> joinedOnce((ClientConnection) socket.session.attachment()));
            held.forEach(command -> carryOut(socket, command));
        } else {
            List<SocketCommand> held = socket.refuse();
            if (held == null) {
                return;
            }
            sockets.remove(socket.id, socket);
            socket.session.execute(() -> ((ClientConnection) socket.session.attachment()).sockets.remove(
                    socket.namespace, socket));
            socket.session.send(SocketIoPacketEncoder.connectError(socket.namespace, decision.message(),
                    decision.data()));
            refuseHeld(socket, held, "socket " + socket.id + " was refused by its namespace");
        }
    }

    /**
     * The connection joined a namespace: its connect timeout is over, as in Socket.IO, which clears it at the first
     * connect, and it no longer counts among the sessions not yet in use. A connection that leaves every namespace
     * later stays open (the client closes it when it wants).
     */
    private static void joinedOnce(ClientConnection connection) {
        if (connection != null && connection.connectTimeout != null) {
            connection.connectTimeout.cancel(false);
            connection.connectTimeout = null;
            // in use from now on: a connect that failed (no such namespace, refused) would leave the session open
            // until its connect timeout while giving its place back
            connection.session.inUse();
        }
    }

    private void refuseHeld(WorkerSocket socket, List<SocketCommand> held, String why) {
        for (SocketCommand command : held) {
            if (command instanceof EmitWithAck emit) {
                refuseAwaitedAck(socket.namespace, socket.id, new WorkerSocket.AwaitedAck(emit.backendId(),
                        emit.requestId()), why);
            }
        }
    }

    private void forwardEvent(WorkerSocket socket, SocketIoPacket packet, Payload args) {
        long ackId = packet.ackId();
        if (ackId != SocketIoPacket.NO_ACK) {
            long now = System.nanoTime();
            if (!socket.roomForClientAck(now)) {
                refuseOverAckLimit(socket, packet);
                return;
            }
            socket.pendingAcks.put(ackId, now);
        }
        socket.stats.eventIn();
        router.send(socket, new SocketEvent(socket.namespace, socket.id, packet.event(), ackId, args));
    }

    /** Rather than grow without bound, an event over the limit of unanswered acks is refused in its ack. */
    private void refuseOverAckLimit(WorkerSocket socket, SocketIoPacket packet) {
        String message = "too many unanswered acks on this socket (limit " + WorkerSocket.PENDING_ACK_LIMIT + ")";
        bus.dropped().record(Cause.LIMIT_EXCEEDED, "client " + socket.id, "event '" + packet.event() + "': "
                + message);
        socket.session.send(SocketIoPacketEncoder.ack(socket.namespace, packet.ackId(),
                ClientErrors.ack(packet.event(), message)));
    }

    private void disconnected(ClientConnection connection, WorkerSocket socket, String reason) {
        // gone now, not in a connect timeout's while (a client connecting and leaving in a loop piles none up)
        socket.cancelConnectTimeout();
        connection.sockets.remove(socket.namespace, socket);
        List<SocketCommand> held = socket.end();
        if (held != null) {
            refuseHeld(socket, held, "socket " + socket.id + " disconnected (" + reason + ") while connecting");
        }
        if (sockets.remove(socket.id, socket)) {
            rooms.remove(socket);
            if (socket.everAccepted) {
                socket.stats.disconnected(reason);
            }
            router.send(socket, new SocketDisconnected(socket.namespace, socket.id, reason));
            for (Long ackId : List.copyOf(socket.awaitedAcks.keySet())) {
                WorkerSocket.AwaitedAck awaited = socket.awaitedAcks.remove(ackId);
                if (awaited != null) {
                    refuseAwaitedAck(socket.namespace, socket.id, awaited, "socket " + socket.id
                            + " disconnected (" + reason + ") before acknowledging");
                }
            }
        }
    }

    private void refuseAwaitedAck(String namespace, String socketId, WorkerSocket.AwaitedAck awaited, String error) {
        publish(settings.channels().reply(awaited.backendId()), new ClientAck(namespace, socketId,
                awaited.requestId(), Payload.empty(), error));
    }

    private void publish(String channel, Message message) {
        stats.forwarded.increment();
        CompletableFuture<Long> published = bus.publish(channel, message);
        if (closing) {
            lastPublishes.add(published);
        }
    }

    // ---- from the backends (on the Redis delivery thread)

    private void onSocketCommand(Message message) {
        stats.socketCommands.increment();
        String channel = settings.channels().worker(settings.workerId());
        if (!(message instanceof SocketCommand command)) {
            bus.dropped().record(Cause.MISROUTED, channel, message.getClass().getSimpleName()
                    + " is not a per-socket command");
            return;
        }
        if (command instanceof SocketReleased released) {
            // found among the sockets being handed over: the client may have left meanwhile
            switch (router.onReleased(released)) {
                case TAKEN -> { }
                case NOT_HANDED_OVER -> bus.dropped().record(Cause.UNKNOWN_SOCKET, channel, "SocketReleased for "
                        + "socket " + released.socketId() + " in " + released.namespace()
                        + ", which is not being handed over");
                case NOT_ASKED -> bus.dropped().record(Cause.LATE_REPLY, channel, "SocketReleased of backend "
                        + "instance " + released.backendId() + " for socket " + released.socketId()
                        + ", which is being handed over by another instance");
            }
            return;
        }
        WorkerSocket socket = sockets.get(command.socketId());
        // a command for a socket of another run of this worker id (this run's backlog, read before it learnt that
        // a later run took the id over) is that run's business: answered, it would fail or end a live socket there
        boolean answerable = socket != null || madeByThisRun(command.socketId());
        if (command instanceof EmitWithAck emit && answerable
                && (socket == null || !socket.namespace.equals(emit.namespace()))) {
            // the asking backend must not wait for its timeout to learn the socket is gone
            refuseAwaitedAck(emit.namespace(), emit.socketId(), new WorkerSocket.AwaitedAck(emit.backendId(),
                    emit.requestId()), "socket " + emit.socketId() + " is not connected to " + emit.namespace());
        }
        if (socket == null || !socket.namespace.equals(command.namespace())) {
            String detail = command.getClass().getSimpleName() + " for socket " + command.socketId() + " in "
                    + command.namespace();
            if (socket == null && answerable) {
                // one of this run's sockets, gone: its client left while a backend was answering or sending to it
                bus.dropped().recordExpected(Cause.UNKNOWN_SOCKET, channel, detail + ", which has left");
            } else {
                bus.dropped().record(Cause.UNKNOWN_SOCKET, channel, detail);
            }
            if (command instanceof ConnectDecision decision && decision.accepted() && answerable) {
                // a backend let in a socket that is gone here (its connect was delivered twice, and run again after
                // a refusal): told, it forgets the socket rather than hold it for good; one that forgot it ignores this
                bus.publish(settings.channels().instance(decision.backendId()), new SocketDisconnected(
                        decision.namespace(), decision.socketId(), "transport close"));
            }
            return;
        }
        if (command instanceof ConnectDecision decision) {
            if (decision.backendId().equals(socket.backendId)) {
                decide(socket, decision);
            } else {
                // an instance the socket moved away from (it was presumed dead, and only paused) decided late
                bus.dropped().record(Cause.LATE_REPLY, channel, "connect decision of backend instance "
                        + decision.backendId() + " for socket " + socket.id + ", which is assigned to "
                        + socket.backendId);
            }
        } else {
            switch (socket.holdWhileConnecting(command)) {
                case NOT_CONNECTING -> carryOut(socket, command);
                case FULL -> refuseOverHoldLimit(socket, command, channel);
                case HELD -> { }
            }
        }
    }

    /** A command a connecting socket cannot hold any more is dropped (counted); an emit's sender is answered. */
    private void refuseOverHoldLimit(WorkerSocket socket, SocketCommand command, String channel) {
        String message = "socket " + socket.id + " is still connecting and already holds "
                + WorkerSocket.PENDING_ACK_LIMIT + " commands (the limit)";
        bus.dropped().record(Cause.LIMIT_EXCEEDED, channel, command.getClass().getSimpleName() + ": " + message);
        if (command instanceof EmitWithAck emit) {
            refuseAwaitedAck(socket.namespace, socket.id, new WorkerSocket.AwaitedAck(emit.backendId(),
                    emit.requestId()), message);
        }
    }

    private void carryOut(WorkerSocket socket, SocketCommand command) {
        String channel = settings.channels().worker(settings.workerId());
        if (command instanceof EmitToSocket emit) {
            socket.stats.eventsOut(1);
            socket.session.send(SocketIoPacketEncoder.event(socket.namespace, emit.event(), emit.args()));
        } else if (command instanceof EmitWithAck emit) {
            WorkerSocket.AwaitedAck awaited = new WorkerSocket.AwaitedAck(emit.backendId(), emit.requestId());
            long ackId = nextAckId.getAndIncrement();
            if (await(socket, ackId, awaited)) {
                socket.stats.eventsOut(1);
                socket.session.send(SocketIoPacketEncoder.event(socket.namespace, emit.event(), ackId, emit.args()));
            }
        } else if (command instanceof AckReply ack) {
            Long askedAt = socket.pendingAcks.remove(ack.ackId());
            if (askedAt == null) {
                bus.dropped().record(Cause.UNKNOWN_SOCKET, channel, "ack " + ack.ackId() + " not pending for socket "
                        + socket.id);
                return;
            }
            // counted before the write, as every other meter here: a client holding the answer finds it counted
            socket.stats.ackSent();
            socket.stats.ackLatency(System.nanoTime() - askedAt);
            socket.session.send(SocketIoPacketEncoder.ack(socket.namespace, ack.ackId(), ack.args()));
        } else if (command instanceof JoinRooms join) {
            if (describable(socket, join.rooms(), roomBytes(join.rooms()), socket.data.length, channel)) {
                rooms.join(socket, join.rooms());
            }
        } else if (command instanceof LeaveRooms leave) {
            rooms.leave(socket, leave.rooms());
        } else if (command instanceof DisconnectSocket disconnect) {
            serverDisconnect(socket, disconnect.close());
        } else if (command instanceof SetSocketData data) {
            if (describable(socket, List.of(), new long[0], data.data().length, channel)) {
                socket.data = data.data();
            }
        }
    }

    /** What each room name takes in a socket's description, in order: once per command, not per socket. */
    private static long[] roomBytes(List<String> names) {
        return names.stream().mapToLong(ReplyParts::size).toArray();
    }

    /**
     * Whether the socket's description (its handshake, rooms and data: what a recovery carries to another backend
     * instance, and a fetch returns) still fits in one message with these rooms joined and data of this size. Else
     * the join or the data is refused and counted: the socket could be neither moved nor fetched.
     */
    private boolean describable(WorkerSocket socket, List<String> joining, long[] joiningBytes, int dataLength,
            String channel) {
        long moreRoomBytes = 0;
        for (int i = 0; i < joining.size(); i++) {
            if (!socket.rooms.contains(joining.get(i))) {
                moreRoomBytes += joiningBytes[i];
            }
        }
        long size = socket.descriptionBytesWith(moreRoomBytes, dataLength);
        if (size <= descriptionLimit) {
            return true;
        }
        bus.dropped().record(Cause.LIMIT_EXCEEDED, channel, (joining.isEmpty() ? "data of " + dataLength + " bytes"
                : "a join of " + joining.size() + " rooms") + " refused for socket " + socket.id + " in "
                + socket.namespace + ": its description (handshake, rooms, data) would take about " + size
                + " bytes, over the " + descriptionLimit + " that one message carries with its envelope "
                + "(distributor.redis.max-message-size " + bus.maxMessageSize() + ")");
        return false;
    }

    /** Registers an emit with ack, or answers the backend at once when the socket has too many waiting. */
    private boolean await(WorkerSocket socket, long ackId, WorkerSocket.AwaitedAck awaited) {
        switch (socket.await(ackId, awaited, abandoned -> refuseAwaitedAck(socket.namespace, socket.id, abandoned,
                "no answer from the client of socket " + socket.id + " within " + TimeUnit.NANOSECONDS.toMinutes(
                        WorkerSocket.ABANDONED_AFTER_NANOS) + " minutes, while " + WorkerSocket.PENDING_ACK_LIMIT
                        + " emits with ack waited on it: no longer awaited"))) {
            case NONE -> {
                return true;
            }
            case GONE -> refuseAwaitedAck(socket.namespace, socket.id, awaited, "socket " + socket.id
                    + " disconnected before the emit reached it");
            case TOO_MANY -> refuseAwaitedAck(socket.namespace, socket.id, awaited, "too many emits with ack waiting "
                    + "on socket " + socket.id + " (limit " + WorkerSocket.PENDING_ACK_LIMIT + ")");
        }
        return false;
    }

    /**
     * Disconnects a socket from its namespace, as Socket.IO's {@code socket.disconnect(close)}: with
     * {@code close}, every namespace of the client's connection, and then the connection itself.
     */
    private void serverDisconnect(WorkerSocket socket, boolean close) {
        EngineSession session = socket.session;
        session.execute(() -> {
            ClientConnection connection = (ClientConnection) session.attachment();
            Collection<WorkerSocket> leaving = close ? List.copyOf(connection.sockets.values()) : List.of(socket);
            for (WorkerSocket each : leaving) {
                if (connection.sockets.get(each.namespace) == each) {
                    // as Socket.IO's server: a socket still connecting is told nothing, the connection's end tells it
                    if (!each.isConnecting()) {
                        session.send(SocketIoPacketEncoder.disconnect(each.namespace));
                    }
                    disconnected(connection, each, SERVER_DISCONNECT);
                }
            }
            if (close) {
                session.closeAfterFlush(FORCED_SERVER_CLOSE);
            }
        });
    }

    /** A command about some sockets of a namespace, from its broadcast channel (on the Redis delivery thread). */
    private void onNamespaceCommand(String spec, NamespaceStats namespaceStats, Message message) {
        stats.broadcasts.increment();
        String namespace = message.namespace();
        // the selected sockets are the spec's own: those of a name served by a spec of its own (or by an earlier
        // pattern) belong to that spec's backends, not to those of every pattern that matches the name
        boolean own = spec.equals(served.specFor(namespace));
        if (!own && !served.covers(spec, namespace)) {
            bus.dropped().record(Cause.MISROUTED, settings.channels().broadcast(spec),
                    message.getClass().getSimpleName() + " for namespace " + namespace);
            return;
        }
        if (message instanceof FetchRooms fetch) {
            List<String> named = own ? rooms.namedRooms(namespace) : List.of();
            answerInParts(fetch, named, ReplyParts::size, (part, parts, some) ->
                    new RoomsFetched(namespace, settings.workerId(), fetch.requestId(), part, parts, some));
            return;
        }
        if (!(message instanceof SelectionCommand command)) {
            bus.dropped().record(Cause.MISROUTED, settings.channels().broadcast(spec),
                    message.getClass().getSimpleName() + " is not a namespace command");
            return;
        }
        Collection<WorkerSocket> selected = own ? rooms.select(namespace, command.rooms(), command.exceptRooms())
                : List.of();
        if (command instanceof Broadcast broadcast) {
            namespaceStats.broadcast();
            broadcast(selected, broadcast, namespaceStats);
        } else if (command instanceof BroadcastWithAck broadcast) {
            namespaceStats.broadcast();
            broadcastWithAck(List.copyOf(selected), broadcast, namespaceStats);
        } else if (command instanceof FetchSockets fetch) {
            List<SocketInfo> described = new ArrayList<>(selected.size());
            for (WorkerSocket socket : selected) {
                described.add(new SocketInfo(socket.id, socket.handshake(),
                        List.copyOf(socket.rooms), socket.data));
            }
            answerInParts(fetch, described, ReplyParts::size, (part, parts, found) ->
                    new SocketsFetched(namespace, settings.workerId(), fetch.requestId(), part, parts, found));
        } else if (command instanceof SocketsJoin join) {
            String channel = settings.channels().broadcast(spec);
            long[] joiningBytes = roomBytes(join.join());
            for (WorkerSocket socket : List.copyOf(selected)) {
                if (describable(socket, join.join(), joiningBytes, socket.data.length, channel)) {
                    rooms.join(socket, join.join());
                }
            }
        } else if (command instanceof SocketsLeave leave) {
            List.copyOf(selected).forEach(socket -> rooms.leave(socket, leave.leave()));
        } else if (command instanceof DisconnectSockets disconnect) {
            List.copyOf(selected).forEach(socket -> serverDisconnect(socket, disconnect.close()));
        }
    }

    /** Answers a fetch with one publish per part of the answer: see {@link ReplyParts} for why. */
    private <T> void answerInParts(Message.Request fetch, List<T> items, ToLongFunction<T> size, PartOf<T> reply) {
        List<List<T>> parts = ReplyParts.split(items, size, ReplyParts.partSize(bus.maxMessageSize()));
        for (int part = 0; part < parts.size(); part++) {
            publish(settings.channels().reply(fetch.backendId()), reply.build(part, parts.size(), parts.get(part)));
        }
    }

    /** One part of an answer, made of some of its items. */
    @FunctionalInterface
    private interface PartOf<T> {
        Message.Reply build(int part, int parts, List<T> items);
    }

    private void broadcast(Collection<WorkerSocket> recipients, Broadcast broadcast, NamespaceStats namespaceStats) {
        namespaceStats.eventsOut(recipients.size());
        // encoded and framed once; every recipient gets the same bytes
        List<Frame> frames = SocketIoPacketEncoder.event(broadcast.namespace(), broadcast.event(), broadcast.args());
        Fanout.send(recipients, socket -> socket.session, frames, broadcast.discardable(), stats.discarded::increment);
    }

    /**
     * Tells the asking backend how many clients this worker asks, then asks them all with one ack id and
     * one encoding; each answer (or the reason none will come) goes back as a {@link ClientAck}.
     */
    private void broadcastWithAck(List<WorkerSocket> recipients, BroadcastWithAck broadcast,
            NamespaceStats namespaceStats) {
        long ackId = nextAckId.getAndIncrement();
        WorkerSocket.AwaitedAck awaited = new WorkerSocket.AwaitedAck(broadcast.backendId(), broadcast.requestId());
        publish(settings.channels().reply(broadcast.backendId()), new BroadcastSent(broadcast.namespace(),
                settings.workerId(), broadcast.requestId(), recipients.size()));
        List<Frame> frames = SocketIoPacketEncoder.event(broadcast.namespace(), broadcast.event(), ackId,
                broadcast.args());
        List<WorkerSocket> asked = new ArrayList<>(recipients.size());
        for (WorkerSocket socket : recipients) {
            if (await(socket, ackId, awaited)) {
                asked.add(socket);
            }
        }
        // those refused (gone, too many acks waiting) were answered as such, not sent the event
        namespaceStats.eventsOut(asked.size());
        // as a plain broadcast: the WebSocket frames encoded once for all, one task per event loop
        Fanout.send(asked, socket -> socket.session, frames, false, () -> { });
    }

    /** A backend instance joined or is leaving (on the Redis delivery thread). */
    private void onAnnouncement(Message message) {
        if (message instanceof InstanceAnnouncement announcement) {
            router.onAnnouncement(announcement);
        } else {
            bus.dropped().record(Cause.MISROUTED, settings.channels().instances(), message.getClass().getSimpleName()
                    + " is not an instance announcement");
        }
    }

    /** No backend instance is left for the socket's namespace and the policy says to disconnect its sockets. */
    private void disconnectForNoBackend(WorkerSocket socket) {
        EngineSession session = socket.session;
        session.execute(() -> {
            ClientConnection connection = (ClientConnection) session.attachment();
            if (connection.sockets.get(socket.namespace) == socket) {
                // a client never let in hears of it as a refused connect, as a new one does
                session.send(socket.isConnecting()
                        ? SocketIoPacketEncoder.connectError(socket.namespace, SocketRouter.NO_BACKEND)
                        : SocketIoPacketEncoder.disconnect(socket.namespace));
                disconnected(connection, socket, SocketRouter.NO_BACKEND);
            }
        });
    }

    /**
     * Shuts the worker down so that nothing waits for a timeout: no new connection is taken, every client is
     * sent away (it reconnects, to another worker behind a balancer), every socket's backend hears
     * {@link #SHUTTING_DOWN}, and the lease is given up, so the id is free at once. Returns once those
     * disconnects have reached Redis, or after {@link #SHUTDOWN_TIMEOUT}: the caller may stop the bus then.
     */
    @Override
    public void close() {
        closing = true;
        router.trackPublishes(lastPublishes);
        long deadline = System.nanoTime() + SHUTDOWN_TIMEOUT.toNanos();
        try {
            stopAccepting(deadline);
            closeSubscriptions();
            int connections = engine.sessionCount();
            // session closes run on the event loops; each publishes its sockets' disconnects
            boolean told = awaitUntil(engine.shutdown(SHUTTING_DOWN), deadline, "closing its client connections")
                    & awaitUntil(CompletableFuture.allOf(lastPublishes.toArray(CompletableFuture[]::new)), deadline,
                    "telling the backends its sockets are gone");
            // else the warning above says what the backends hear instead
            if (connections > 0 && told) {
                log.info("Distributor worker '{}' closed {} client connection(s); their backends heard '{}'",
                        settings.workerId(), connections, SHUTTING_DOWN);
            }
        } finally {
            router.close();
            try {
                releaseLease();
            } finally {
                boundPort = -1;
                server.stop();
                stopOwnLoops();
            }
        }
    }

    private void closeSubscriptions() {
        synchronized (subscriptions) {
            subscriptions.forEach(MessageBus.Subscription::close);
            subscriptions.clear();
        }
    }

    /**
     * A renewal found the lease lost. Given up by the backends: the clients reconnect and get sockets the backends
     * know; a backend that still held one of the old sockets hears {@value WorkerLeases#WORKER_LOST} for it, as the
     * others did. Taken over: the id's channel and sockets are another worker's now, so this one stops listening
     * and reading its channels, and sends its clients away for good (its health stays DOWN).
     */
    private void leaseLost(WorkerLeases.LeaseLoss loss) {
        if (closing) {
            // the close sends everyone away already, with the reason backends should hear
            return;
        }
        if (loss == WorkerLeases.LeaseLoss.SOCKETS_GIVEN_UP) {
            engine.sendAllAway(WorkerLeases.WORKER_LOST);
            return;
        }
        stopAccepting(System.nanoTime() + SHUTDOWN_TIMEOUT.toNanos());
        closeSubscriptions();
        engine.shutdown(TAKEN_OVER);
    }

    private void stopOwnLoops() {
        if (ownLoops != null) {
            ownLoops.close();
        }
    }

    /** A client that reconnects now must land on another worker, not on this one while it closes. */
    private void stopAccepting(long deadline) {
        Channel listening = acceptor;
        acceptor = null;
        if (listening != null) {
            listening.close().awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    /** Whether {@code done} completed normally by the deadline; if not, says what follows. */
    private boolean awaitUntil(CompletableFuture<?> done, long deadline, String what) {
        try {
            done.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            log.warn("Distributor worker '{}' gave up {} after {} s; backends give up the sockets left once its lease "
                    + "is gone (reason 'worker lost')", settings.workerId(), what, SHUTDOWN_TIMEOUT.toSeconds());
        } catch (ExecutionException e) {
            log.warn("Distributor worker '{}' ran into a failure {}: {}; backends give up the sockets left once its "
                    + "lease is gone (reason 'worker lost')", settings.workerId(), what, e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("Distributor worker '{}' was interrupted {}", settings.workerId(), what);
        }
        return false;
    }

    private void releaseLease() {
        WorkerLeases.Lease held = lease;
        lease = null;
        if (held == null) {
            return;
        }
        if (bus.isConnected()) {
            held.close();
        } else {
            held.abandon();
            log.warn("Distributor worker '{}' stops while Redis is unreachable: its lease expires within its TTL, and "
                    + "backends give up its sockets then (reason 'worker lost')", settings.workerId());
        }
    }
}
