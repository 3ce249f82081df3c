package io.github.siodistributor.backend.runtime;

import io.github.siodistributor.backend.Ack;
import io.github.siodistributor.backend.AckTimeoutException;
import io.github.siodistributor.backend.ConnectionRejectedException;
import io.github.siodistributor.backend.EventRejectedException;
import io.github.siodistributor.backend.IncompleteAcksException;
import io.github.siodistributor.backend.IndirectNamespace;
import io.github.siodistributor.backend.IndirectServer;
import io.github.siodistributor.backend.NamespaceHandler;
import io.github.siodistributor.backend.RemoteSocket;
import io.github.siodistributor.backend.SocketArgs;
import io.github.siodistributor.core.metrics.NamespaceStats;
import io.github.siodistributor.core.metrics.StatsByNamespace;
import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.ClientErrors;
import io.github.siodistributor.core.protocol.Message.AckReply;
import io.github.siodistributor.core.protocol.Message.BroadcastWithAck;
import io.github.siodistributor.core.protocol.Message.ClientAck;
import io.github.siodistributor.core.protocol.Message.ClientActivity;
import io.github.siodistributor.core.protocol.Message.ConnectDecision;
import io.github.siodistributor.core.protocol.Message.EmitWithAck;
import io.github.siodistributor.core.protocol.Message.FetchRooms;
import io.github.siodistributor.core.protocol.Message.FetchSockets;
import io.github.siodistributor.core.protocol.Message.ReleaseSocket;
import io.github.siodistributor.core.protocol.Message.RoomsFetched;
import io.github.siodistributor.core.protocol.Message.ServerSideAck;
import io.github.siodistributor.core.protocol.Message.ServerSideEmit;
import io.github.siodistributor.core.protocol.Message.SocketConnected;
import io.github.siodistributor.core.protocol.Message.SocketDisconnected;
import io.github.siodistributor.core.protocol.Message.SocketEvent;
import io.github.siodistributor.core.protocol.Message.SocketInfo;
import io.github.siodistributor.core.protocol.Message.SocketMoved;
import io.github.siodistributor.core.protocol.Message.SocketRecovered;
import io.github.siodistributor.core.protocol.Message.SocketReleased;
import io.github.siodistributor.core.protocol.Message.SocketsFetched;
import io.github.siodistributor.core.protocol.LoggedText;
import io.github.siodistributor.core.protocol.Message;
import io.github.siodistributor.core.protocol.MessageCodec;
import io.github.siodistributor.core.protocol.Payload;
import io.github.siodistributor.core.protocol.ServedNamespaces;
import io.github.siodistributor.core.protocol.SocketIds;
import io.github.siodistributor.core.protocol.WorkerRun;
import io.github.siodistributor.core.socketio.ReservedEvents;
import io.github.siodistributor.core.transport.BackendRegistry;
import io.github.siodistributor.core.transport.DroppedMessages.Cause;
import io.github.siodistributor.core.transport.MessageBus;
import io.github.siodistributor.core.transport.MessageTooLargeException;
import io.github.siodistributor.core.transport.WorkerLeases;
import io.github.siodistributor.core.transport.WorkerLiveness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.ObjectMapper;

/**
 * The backend runtime: subscribes to the channels of the namespaces it handles, runs their handlers
 * with per-socket ordering on an executor (never on the Redis delivery thread), and publishes what
 * the handlers ask of the indirect namespaces and sockets.
 */
public final class DistributorBackend implements IndirectServer, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DistributorBackend.class);
    /** How often a hand-over whose sockets are all gone looks whether their handlers are done. */
    private static final long HANDLERS_LOOK_MILLIS = 5;
    /** The longest message a refusal too large to send whole keeps. */
    private static final int LONGEST_REFUSAL_MESSAGE = 1000;

    /** How long fetches and acks wait when no timeout is given (Socket.IO's Redis adapter waits 5 s too). */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private final MessageBus bus;
    private final ChannelNames channels;
    private final ObjectMapper mapper;
    /** Like {@code mapper}, but writes byte arrays as Socket.IO attachments. */
    private final ObjectMapper encodingMapper;
    /** Runs handler calls on the handler pool, one at a time per socket. */
    private final KeyedSerialExecutor dispatcher;
    /**
     * Handlers by namespace spec (a name, or a pattern for dynamic namespaces), in registration order. Replaced
     * whole under the lock: the Redis thread reads it while a namespace may be registered after start.
     */
    private volatile Map<String, ServedHandler> handlers = Map.of();
    private volatile ServedNamespaces handled = new ServedNamespaces(List.of());
    /**
     * Sockets connected through this instance, by namespace name. A namespace without any holds nothing, here or in
     * {@link #namespaces}: dynamic namespaces come and go without end.
     */
    private final Map<String, Map<String, BackendSocket>> connectedSockets = new ConcurrentHashMap<>();
    /**
     * The namespaces that have sockets here, so that their messages do not each make a new one. Any instance of a
     * namespace will do: its sockets are in {@link #connectedSockets}, not in it.
     */
    private final Map<String, BackendNamespace> namespaces = new ConcurrentHashMap<>();
    private final StatsByNamespace stats = new StatsByNamespace();
    private final List<MessageBus.Subscription> subscriptions = new ArrayList<>();
    /** Names this backend's reply channel: workers and other backends answer its requests there. */
    private final String backendId = UUID.randomUUID().toString();
    private final PendingRequests requests;
    private final WorkerCommandLines commandLines;
    /**
     * Where request futures complete: not the Redis delivery thread (callbacks would stall delivery) and not
     * the handler pool (a handler blocking on {@code join()} would wait for a thread it occupies itself).
     */
    private final ExecutorService completions = Executors.newCachedThreadPool(new ThreadFactory() {
        private final AtomicInteger next = new AtomicInteger();

        @Override
        public Thread newThread(Runnable runnable) {
            Thread thread = new Thread(runnable, "distributor-completion-" + next.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    });
    private final Duration requestTimeout;
    private volatile QueuedEvents queued = new QueuedEvents(QueuedEvents.DEFAULT_LIMIT,
            QueuedEvents.DEFAULT_BYTE_LIMIT);
    private WorkerWatch workerWatch;
    private volatile BackendPresence presence;
    private volatile boolean handingOver;
    /** Signalled when a socket leaves this instance during a hand-over. */
    private final Object released = new Object();

    public DistributorBackend(MessageBus bus, ChannelNames channels, ObjectMapper mapper, Executor handlerExecutor) {
        this(bus, channels, mapper, handlerExecutor, DEFAULT_REQUEST_TIMEOUT);
    }

    /** @param requestTimeout how long fetches and broadcast acks wait when the caller set no timeout */
    public DistributorBackend(MessageBus bus, ChannelNames channels, ObjectMapper mapper, Executor handlerExecutor,
            Duration requestTimeout) {
        this.bus = Objects.requireNonNull(bus, "bus");
        this.channels = Objects.requireNonNull(channels, "channels");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.encodingMapper = BinaryPlaceholders.encodingMapper(mapper);
        this.dispatcher = new KeyedSerialExecutor(handlerExecutor);
        this.requestTimeout = requirePositive(requestTimeout);
        this.requests = new PendingRequests(completions, bus.dropped());
        this.commandLines = new WorkerCommandLines((worker, command) -> publishUnanswered(channels.worker(worker),
                command), this::requireFits, bus.dropped(), "distributor-worker-commands-" + backendId.substring(0, 8));
        String replies = channels.reply(backendId);
        subscriptions.add(bus.subscribe(replies, message -> requests.onReply(replies, message)));
        String instance = channels.instance(backendId);
        subscriptions.add(bus.subscribe(instance, message -> onMessage(instance, message)));
    }

    /**
     * Makes this instance known to the workers: registered in {@code registry} with a heartbeat of {@code ttl}
     * for every namespace it handles (and any registered later), and announced. Call once the message bus is
     * started. Until then workers send this instance nothing.
     */
    public synchronized void announce(BackendRegistry registry, Duration ttl) {
        if (presence != null) {
            throw new IllegalStateException("backend instance " + backendId + " is already announced");
        }
        BackendPresence started = new BackendPresence(backendId, registry, bus, channels, requirePositive(ttl),
                this::namespaces);
        started.start();
        presence = started;
    }

    /**
     * Stops this instance gracefully: it leaves the registry, the workers stop sending it new sockets and
     * hand its sockets over to the other instances, each after this instance has handled the events it already
     * got. Returns once every socket is handed over (or disconnected), or after {@code timeout}.
     *
     * @return whether every socket was handed over within the timeout
     */
    public boolean handOver(Duration timeout) {
        BackendPresence leaving;
        synchronized (this) {
            leaving = presence;
            presence = null;
        }
        if (leaving == null) {
            return true;
        }
        handingOver = true;
        leaving.leave();
        long deadline = System.nanoTime() + requirePositive(timeout).toNanos();
        synchronized (released) {
            // the sockets first, then what their handlers still have to do (a disconnect handler's emits, a
            // release's answer), and what waits to be sent again to a worker that did not hear it: the bus stops
            // after this, and would refuse them
            while (socketCount() > 0 || handlersBusy() || commandLines.held() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    log.warn("Backend instance {} stops with {} sockets not handed over, or their handlers not done, "
                            + "or {} commands its workers have not heard yet, within {}", backendId, socketCount(),
                            commandLines.held(), timeout);
                    return false;
                }
                // a socket leaving notifies; handlers finishing do not, so their queues are looked at every few ms
                long waitMillis = left / 1_000_000;
                if (socketCount() == 0) {
                    // nor do commands heard at last
                    waitMillis = Math.min(waitMillis, HANDLERS_LOOK_MILLIS);
                }
                try {
                    released.wait(Math.max(1, waitMillis));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        log.info("Backend instance {} handed all its sockets over", backendId);
        return true;
    }

    private boolean handlersBusy() {
        for (ServedHandler served : handlers.values()) {
            if (served.calls().activeKeys() > 0) {
                return true;
            }
        }
        return false;
    }

    private int socketCount() {
        int count = 0;
        for (Map<String, BackendSocket> sockets : connectedSockets.values()) {
            count += sockets.size();
        }
        return count;
    }

    /** A socket left this instance: wake a hand-over waiting for the last one. */
    private void socketGone() {
        if (handingOver) {
            synchronized (released) {
                released.notifyAll();
            }
        }
    }

    /** Per namespace spec: connects, disconnects, events, acks, broadcasts, handler time. */
    public StatsByNamespace stats() {
        return stats;
    }

    /** Whether this instance is in the backend registry, where workers look for it, and how it stands there. */
    public record Registration(boolean registered, String detail) {
    }

    /** Whether this instance is in the backend registry: announced, heartbeat renewing, not handed over. */
    public Registration registration() {
        BackendPresence current = presence;
        if (current == null) {
            return new Registration(false, handingOver ? "left the registry: handing its sockets over"
                    : "not announced yet");
        }
        return current.registration();
    }

    /** This instance's id: it names its channel and its entry in the backend registry. */
    public String id() {
        return backendId;
    }

    /**
     * Adds a namespace handler and subscribes to its channels; one handler per namespace or pattern. A name's
     * handler takes its namespace from a pattern that matches it; of two patterns that match one namespace, the one
     * registered first has it here, so keep patterns apart: another process may have registered them the other way.
     */
    public synchronized void register(NamespaceHandler handler) {
        String spec = ServedNamespaces.requireValid(handler.namespace());
        ServedHandler existing = handlers.get(spec);
        if (existing != null) {
            throw new IllegalStateException("namespace " + spec + " already has a handler: " + existing.handler());
        }
        KeyedSerialExecutor calls = dispatcher;
        if (handler.nonBlocking()) {
            // no pool, no hand-off: the delivering thread runs a key whole (the process runs one call at a time anyway)
            calls = new KeyedSerialExecutor(new NonBlockingDispatch(spec), Integer.MAX_VALUE);
            log.info("Namespace {}: its handler is declared non-blocking and runs on the Redis delivery thread", spec);
        }
        ServedHandler served = new ServedHandler(handler, calls);
        ServedNamespaces own = new ServedNamespaces(List.of(spec));
        String peers = channels.peers(spec);
        // subscribed first: should it fail (Redis unreachable), the namespace is not served, neither here nor in the
        // registry the heartbeat writes, and registering it again once Redis is back works
        subscriptions.add(bus.subscribe(peers, message -> onPeerMessage(peers, own, served, message)));
        Map<String, ServedHandler> next = new LinkedHashMap<>(handlers);
        next.put(spec, served);
        handlers = Collections.unmodifiableMap(next);
        handled = new ServedNamespaces(next.keySet());
        if (presence != null) {
            presence.added(spec);
        }
    }

    /** A namespace's handler and what runs its calls: the pool, or, for a non-blocking one, the calling thread. */
    private record ServedHandler(NamespaceHandler handler, KeyedSerialExecutor calls) {
    }

    /** Read without the lock: the heartbeat asks, and must not wait behind a registration's subscribe. */
    public List<String> namespaces() {
        return List.copyOf(handlers.keySet());
    }

    @Override
    public IndirectNamespace of(String namespace) {
        return namespace(namespace);
    }

    BackendNamespace namespace(String name) {
        if (name == null || !name.startsWith("/")) {
            throw new IllegalArgumentException("namespace '" + name + "' must start with '/'");
        }
        BackendNamespace known = namespaces.get(name);
        if (known != null) {
            return known;
        }
        String spec = handled.specFor(name);
        return spec == null ? new BackendNamespace(name, name, UNHANDLED, this)
                : new BackendNamespace(name, spec, spec, this);
    }

    /**
     * The counters of the namespaces this instance emits to without handling them: names the application makes
     * up (one per game) would otherwise each keep counters and meters for good.
     */
    static final String UNHANDLED = "(not handled here)";

    /** Namespaces this instance keeps anything of: those with sockets here. */
    int namespacesHeld() {
        Set<String> held = new java.util.HashSet<>(connectedSockets.keySet());
        held.addAll(namespaces.keySet());
        return held.size();
    }

    /** The sockets connected through this instance to the namespace. */
    Map<String, BackendSocket> socketsIn(String namespace) {
        return connectedSockets.getOrDefault(namespace, Map.of());
    }

    /**
     * Holds {@code socket} here, in place of one held with its id; or, with {@code onlyIfNew}, only when none is:
     * then false when one is.
     */
    boolean socketConnected(BackendNamespace namespace, BackendSocket socket, boolean onlyIfNew) {
        boolean[] added = new boolean[1];
        connectedSockets.compute(namespace.name(), (name, sockets) -> {
            Map<String, BackendSocket> present = sockets == null ? new ConcurrentHashMap<>() : sockets;
            if (onlyIfNew) {
                added[0] = present.putIfAbsent(socket.id(), socket) == null;
            } else {
                present.put(socket.id(), socket);
                added[0] = true;
            }
            namespaces.putIfAbsent(name, namespace);
            return present;
        });
        return added[0];
    }

    /** The socket that left, or {@code null} when it was not connected here. */
    BackendSocket socketDisconnected(String namespace, String socketId) {
        BackendSocket[] left = new BackendSocket[1];
        removeSocket(namespace, sockets -> left[0] = sockets.remove(socketId));
        return left[0];
    }

    /** Takes out exactly {@code socket}, not a later registration of its id; whether it was still here. */
    private boolean socketForgotten(String namespace, BackendSocket socket) {
        boolean[] removed = new boolean[1];
        removeSocket(namespace, sockets -> removed[0] = sockets.remove(socket.id(), socket));
        return removed[0];
    }

    /** Applies {@code removal} to the namespace's sockets, and drops what is kept of a namespace left empty. */
    private void removeSocket(String namespace, Consumer<Map<String, BackendSocket>> removal) {
        connectedSockets.computeIfPresent(namespace, (name, sockets) -> {
            removal.accept(sockets);
            if (!sockets.isEmpty()) {
                return sockets;
            }
            namespaces.remove(name);
            return null;
        });
    }

    /** The activity of a socket assigned to this instance (on the Redis delivery thread). */
    private void onMessage(String channel, Message message) {
        String spec = handled.specFor(message.namespace());
        ServedHandler served = spec == null ? null : handlers.get(spec);
        if (served == null || !(message instanceof ClientActivity activity)) {
            bus.dropped().record(Cause.MISROUTED, channel, message.getClass().getSimpleName() + " for namespace "
                    + message.namespace());
            return;
        }
        String socketId = activity.socketId();
        if (!SocketIds.hasRun(socketId)) {
            // no worker of ours made it: nothing could be sent to it, and the worker watch would ask after "null"
            bus.dropped().record(Cause.MALFORMED, channel, message.getClass().getSimpleName() + " for socket id '"
                    + socketId + "', which names no worker run");
            return;
        }
        NamespaceHandler handler = served.handler();
        KeyedSerialExecutor serial = served.calls();
        BackendNamespace namespace = namespace(message.namespace());
        if (message instanceof SocketConnected connected) {
            BackendSocket socket = namespace.connected(socketId, connected.handshake());
            if (socket == null) {
                // delivered twice (Redis delivers at least once across a reconnect): a second run of the connect
                // handlers could decide otherwise than the first, which the worker already acted on
                log.debug("Socket {} of {} connected here already; its connect delivered again is ignored", socketId,
                        namespace.name());
                return;
            }
            serial.execute(socketId, () -> connect(handler, namespace, socket));
        } else if (message instanceof SocketEvent event) {
            BackendSocket socket = socketsIn(namespace.name()).get(socketId);
            if (socket == null) {
                refuseUnknownSocketEvent(channel, event);
                return;
            }
            int size = event.args().size();
            QueuedEvents limits = queued;
            String refusal = limits.admit(socket, size);
            if (refusal != null) {
                refuseEvent(channel, event, Cause.LIMIT_EXCEEDED, refusal);
                return;
            }
            namespace.stats().eventIn();
            try {
                serial.execute(socketId, () -> {
                    limits.started(socket, size);
                    if (socket.isGone()) {
                        // its worker was declared lost while this event was on its way in: refused as after that
                        refuseUnknownSocketEvent(channel, event);
                    } else {
                        handleEvent(handler, socket, event);
                    }
                });
            } catch (RejectedExecutionException e) {
                // the application's bounded executor is full: the event never waits, so it takes no room either
                limits.started(socket, size);
                refuseEvent(channel, event, Cause.LIMIT_EXCEEDED, "the handler executor refused the event ("
                        + e.getMessage() + ")");
            }
        } else if (message instanceof SocketDisconnected disconnected) {
            BackendSocket socket = socketDisconnected(namespace.name(), socketId);
            if (socket == null) {
                // its disconnect handlers ran already (its worker was declared lost) or belong to another instance
                log.debug("Disconnect of socket {} of {}, which is not connected here, ignored", socketId,
                        namespace.name());
                return;
            }
            socketGone();
            requests.socketLeft(socketId, "it disconnected: " + disconnected.reason());
            disconnectAfterEarlierCalls(serial, handler, namespace, socket, disconnected.reason());
        } else if (message instanceof SocketRecovered recovered) {
            FetchedSocket socket = namespace.recovered(new SocketInfo(socketId, recovered.handshake(),
                    recovered.rooms(), recovered.data()));
            serial.execute(socketId, () -> recover(handler, socket, recovered.reason()));
        } else if (message instanceof ReleaseSocket) {
            // after the socket's earlier events: they are handled by now, and the worker holds the later ones
            serial.execute(socketId, () -> {
                toOwner(new SocketReleased(namespace.name(), socketId, backendId));
                socketDisconnected(namespace.name(), socketId);
                socketGone();
            });
        } else if (message instanceof SocketMoved) {
            // the worker presumed this instance dead: another one has the socket now and runs its handlers, so this
            // one lets it go quietly, after the socket's earlier events. Only the socket as held now: should it come
            // back (a recovery registers it at once) before the line reaches this, it stays
            BackendSocket held = socketsIn(namespace.name()).get(socketId);
            if (held != null) {
                serial.execute(socketId, () -> {
                    if (socketForgotten(namespace.name(), held)) {
                        log.debug("Socket {} of {} moved to another backend instance; forgotten here", socketId,
                                namespace.name());
                        socketGone();
                    }
                });
            }
        }
    }

    /** After the socket's earlier calls, its connect among them: a socket its connect refused has no disconnect. */
    private static void disconnectAfterEarlierCalls(KeyedSerialExecutor serial, NamespaceHandler handler,
            BackendNamespace namespace, BackendSocket socket, String reason) {
        serial.execute(socket.id(), () -> {
            socket.gone();
            if (!socket.refused()) {
                namespace.stats().disconnected(reason);
                try {
                    handler.onDisconnect(socket, reason);
                } catch (RuntimeException | Error e) {
                    // nobody to answer: logged with what failed, and the socket's later work still runs
                    log.error("Disconnect handler for socket {} in {} (reason '{}') failed", socket.id(),
                            handler.namespace(), reason, thrownByHandler(e));
                }
            }
        });
    }

    /**
     * An event of a socket this instance does not hold: it never connected here, or it was let go (moved to another
     * instance, its worker declared lost). A handler would see a socket without its handshake, perhaps after its
     * disconnect handlers ran; the client that asked for an ack learns why none comes.
     */
    private void refuseUnknownSocketEvent(String channel, SocketEvent event) {
        refuseEvent(channel, event, Cause.UNKNOWN_SOCKET, "socket " + event.socketId() + " is not connected to this "
                + "backend instance of " + event.namespace());
    }

    /** Drops a client's event, counted; the client learns why in its ack when it asked for one. */
    private void refuseEvent(String channel, SocketEvent event, Cause cause, String why) {
        bus.dropped().record(cause, channel, "event '" + event.event() + "': " + why);
        if (event.wantsAck()) {
            toOwner(new AckReply(event.namespace(), event.socketId(), event.ackId(), ClientErrors.ack(event.event(),
                    why)));
        }
    }

    private void recover(NamespaceHandler handler, FetchedSocket socket, String reason) {
        try {
            handler.onRecover(socket, reason);
        } catch (RuntimeException e) {
            log.error("Recover handler of {} failed for socket {}; its events come here all the same",
                    handler.namespace(), socket.id(), thrownByHandler(e));
        }
    }

    /**
     * Runs the connect handlers, then lets the client in or turns it away. What the handlers sent the
     * socket meanwhile is held by the worker until the decision, so the client sees it after "connected".
     */
    private void connect(NamespaceHandler handler, BackendNamespace namespace, BackendSocket socket) {
        ConnectDecision decision;
        try {
            ConnectingSocket.run(socket.id(), () -> handler.onConnect(socket));
            decision = decision(namespace, socket, true, "", new byte[0]);
        } catch (ConnectionRejectedException e) {
            decision = decision(namespace, socket, false, String.valueOf(e.getMessage()), rejectionData(e, socket));
        } catch (RuntimeException | AssertionError | LinkageError | StackOverflowError e) {
            // whatever the handler throws, a decision goes out: without one the client waits for the connect timeout
            Throwable cause = thrownByHandler(e);
            log.error("Connect handler of {} failed for socket {}; the client is refused", handler.namespace(),
                    socket.id(), cause);
            decision = decision(namespace, socket, false, "internal error", new byte[0]);
        }
        if (decision.accepted()) {
            namespace.stats().connected();
        } else {
            socket.refuse();
            socketForgotten(namespace.name(), socket);
            socketGone();
        }
        try {
            toOwner(decision);
        } catch (MessageTooLargeException tooLarge) {
            // only a refusal carries what a handler chose: without it, the client still learns it was refused, at
            // once rather than at the connect timeout
            log.error("The refusal of socket {} in {} cannot be sent whole ({}); the client is refused without its "
                    + "data", socket.id(), namespace.name(), tooLarge.getMessage());
            try {
                toOwner(decision(namespace, socket, false, abbreviated(decision.message()), new byte[0]));
            } catch (MessageTooLargeException stillTooLarge) {
                // a max-message-size of a few kilobytes: the refusal alone, without a word
                toOwner(decision(namespace, socket, false, "", new byte[0]));
            }
        }
    }

    /** A refusal's message cut to about {@link #LONGEST_REFUSAL_MESSAGE} characters, never inside a surrogate pair. */
    private static String abbreviated(String message) {
        if (message.length() <= LONGEST_REFUSAL_MESSAGE) {
            return message;
        }
        int cut = LONGEST_REFUSAL_MESSAGE - 1;
        if (Character.isHighSurrogate(message.charAt(cut - 1))) {
            cut--;
        }
        return message.substring(0, cut) + "…";
    }

    /** The refusal's data as JSON; none when Jackson cannot write it, so that the refusal itself still goes out. */
    private byte[] rejectionData(ConnectionRejectedException rejection, BackendSocket socket) {
        if (rejection.data() == null) {
            return new byte[0];
        }
        try {
            return mapper.writeValueAsBytes(rejection.data());
        } catch (RuntimeException e) {
            log.error("The data of the refusal of socket {} cannot be written as JSON; the client is refused without "
                    + "it", socket.id(), e);
            return new byte[0];
        }
    }

    /** This instance's decision on a connecting socket: the worker takes it only from the socket's instance. */
    private ConnectDecision decision(BackendNamespace namespace, BackendSocket socket, boolean accepted,
            String message, byte[] data) {
        return new ConnectDecision(namespace.name(), socket.id(), backendId, accepted, message, data);
    }

    private void handleEvent(NamespaceHandler handler, BackendSocket socket, SocketEvent event) {
        NamespaceStats counted = socket.namespace().stats();
        OnceAck ack = new OnceAck(event.wantsAck(), this::encode, payload -> {
            toOwner(new AckReply(event.namespace(), socket.id(), event.ackId(), payload));
            counted.ackSent();
        }, (self, failure) -> {
            String message = failureMessage(failure, "event '" + event.event() + "' of socket " + socket.id()
                    + " in " + handler.namespace());
            // in the ack when the client waits for one that is not yet answered, else as an event
            if (!self.answer(SocketArgs.wrap(ClientErrors.ack(event.event(), message), mapper))) {
                socket.emit(ClientErrors.ERROR_EVENT, SocketArgs.wrap(ClientErrors.event(event.event(), message),
                        mapper));
            }
        });
        long started = System.nanoTime();
        try {
            handler.onEvent(socket, event.event(), SocketArgs.wrap(event.args(), mapper), ack);
            counted.handlerTime(System.nanoTime() - started);
        } catch (RuntimeException | AssertionError | LinkageError | StackOverflowError e) {
            counted.handlerTime(System.nanoTime() - started);
            ack.fail(e);
        }
    }

    /** An event from another backend instance of a namespace this backend handles (on the Redis thread). */
    private void onPeerMessage(String channel, ServedNamespaces own, ServedHandler served, Message message) {
        NamespaceHandler handler = served.handler();
        if (!(message instanceof ServerSideEmit emit) || !own.covers(handler.namespace(), message.namespace())) {
            bus.dropped().record(Cause.MISROUTED, channel, message.getClass().getSimpleName() + " for namespace "
                    + message.namespace());
            return;
        }
        if (emit.backendId().equals(backendId)) {
            return; // our own emit: Socket.IO sends server-side events to the other servers only
        }
        BackendNamespace namespace = namespace(emit.namespace());
        OnceAck ack = new OnceAck(emit.wantsAck(), this::encode, payload -> publishUnanswered(
                channels.reply(emit.backendId()), new ServerSideAck(emit.namespace(), backendId, emit.requestId(),
                        payload)), (self, failure) -> self.answer(SocketArgs.wrap(ClientErrors.ack(emit.event(),
                                failureMessage(failure, "server-side event '" + emit.event() + "' in "
                                        + handler.namespace())), mapper)));
        // one sender's events in order; different senders in parallel
        served.calls().execute("peer " + emit.backendId(), () -> {
            try {
                handler.onServerSideEvent(namespace, emit.event(), SocketArgs.wrap(emit.args(), mapper), ack);
            } catch (RuntimeException | AssertionError | LinkageError | StackOverflowError e) {
                ack.fail(e);
            }
        });
    }

    CompletableFuture<SocketArgs> emitWithAck(String namespace, String socketId, String event, Object[] args,
            Duration timeout) {
        ReservedEvents.requireEmittable(event);
        String worker = requireOwner(socketId);
        Payload payload = encode(args);
        NamespaceStats counted = namespace(namespace).stats();
        counted.eventsOut(1);
        // in line with the socket's other commands: held behind them while its worker does not hear
        CompletableFuture<SocketArgs> answer = requests.open(new SocketAckRequest(socketId, event, this::decode),
                timeout, requestId -> commandLines.sendAnswered(worker, new EmitWithAck(namespace, socketId, event,
                        payload, backendId, requestId)));
        answer.whenComplete((value, failure) -> countAcks(counted, failure == null ? 1 : 0, failure));
        return answer;
    }

    CompletableFuture<List<SocketArgs>> broadcastWithAck(Selection selection, String event, Object[] args) {
        ReservedEvents.requireEmittable(event);
        BackendNamespace namespace = selection.namespace();
        Payload payload = encode(args);
        namespace.stats().broadcast();
        CompletableFuture<List<SocketArgs>> answers = requests.open(new BroadcastAckRequest("'" + event + "' to "
                + selection, this::decode), timeoutOf(selection), requestId -> bus.publish(channels.broadcast(
                        namespace.spec()), new BroadcastWithAck(namespace.name(), selection.rooms(),
                                selection.exceptRooms(), event, payload, backendId, requestId)));
        answers.whenComplete((all, failure) -> countAcks(namespace.stats(), all == null ? 0 : all.size(), failure));
        return answers;
    }

    CompletableFuture<List<RemoteSocket>> fetchSockets(Selection selection) {
        BackendNamespace namespace = selection.namespace();
        GatherRequest<SocketsFetched, List<RemoteSocket>> request = new GatherRequest<>(SocketsFetched.class,
                "fetchSockets of " + selection + " (workers answering)", replies -> {
                    List<RemoteSocket> sockets = new ArrayList<>();
                    for (SocketsFetched reply : replies) {
                        for (SocketInfo info : reply.sockets()) {
                            sockets.add(new FetchedSocket(info, namespace));
                        }
                    }
                    return List.copyOf(sockets);
                }, (message, partial, receivers) -> new TimeoutException(message));
        return requests.open(request, timeoutOf(selection), requestId -> bus.publish(
                channels.broadcast(namespace.spec()), new FetchSockets(namespace.name(), selection.rooms(),
                        selection.exceptRooms(), backendId, requestId)));
    }

    CompletableFuture<Set<String>> allRooms(BackendNamespace namespace) {
        GatherRequest<RoomsFetched, Set<String>> request = new GatherRequest<>(RoomsFetched.class,
                "allRooms of " + namespace.name() + " (workers answering)", replies -> {
                    Set<String> rooms = new LinkedHashSet<>();
                    replies.forEach(reply -> rooms.addAll(reply.rooms()));
                    return Set.copyOf(rooms);
                }, (message, partial, receivers) -> new TimeoutException(message));
        return requests.open(request, requestTimeout, requestId -> bus.publish(channels.broadcast(namespace.spec()),
                new FetchRooms(namespace.name(), backendId, requestId)));
    }

    void serverSideEmit(BackendNamespace namespace, String event, Object[] args) {
        publishUnanswered(channels.peers(namespace.spec()), new ServerSideEmit(namespace.name(), backendId,
                ServerSideEmit.NO_ACK, event, encode(args)));
    }

    CompletableFuture<List<SocketArgs>> serverSideEmitWithAck(BackendNamespace namespace, Duration timeout,
            String event, Object[] args) {
        Payload payload = encode(args);
        // this backend hears its own emit when it handles the namespace, but does not answer it
        long self = handlers.containsKey(namespace.spec()) ? 1 : 0;
        GatherRequest<ServerSideAck, List<SocketArgs>> request = new GatherRequest<>(ServerSideAck.class,
                "serverSideEmitWithAck '" + event + "' in " + namespace.name() + " (other backends answering)",
                this::serverSideAnswers, (message, partial, receivers) -> new IncompleteAcksException(
                        message, serverSideAnswers(partial), (int) receivers, true));
        return requests.open(request, timeout == null ? requestTimeout : timeout, requestId -> bus.publish(
                channels.peers(namespace.spec()), new ServerSideEmit(namespace.name(), backendId, requestId, event,
                        payload)).thenApply(receivers -> Math.max(0, receivers - self)));
    }

    /** The clients' answers that came to an emit with ack, and whether it timed out waiting for more. */
    private static void countAcks(NamespaceStats counted, int answers, Throwable failure) {
        Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
        int received = answers;
        if (cause instanceof IncompleteAcksException incomplete) {
            received = incomplete.responses().size();
            if (incomplete.timedOut()) {
                counted.ackTimedOut();
            }
        } else if (cause instanceof AckTimeoutException) {
            counted.ackTimedOut();
        }
        counted.acksReceived(received);
    }

    private List<SocketArgs> serverSideAnswers(List<ServerSideAck> replies) {
        return replies.stream().map(reply -> SocketArgs.wrap(reply.args(), mapper)).toList();
    }

    private Duration timeoutOf(Selection selection) {
        return selection.timeout() == null ? requestTimeout : selection.timeout();
    }

    private SocketArgs decode(ClientAck ack) {
        return SocketArgs.wrap(ack.args(), mapper);
    }

    static Duration requirePositive(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("a timeout must be positive, got " + timeout);
        }
        return timeout;
    }

    /** The reason handlers get for the sockets of a worker that died. */
    public static final String WORKER_LOST = WorkerLeases.WORKER_LOST;

    /**
     * Bounds the client events waiting for their socket's handlers: at most {@code perSocket} per socket, and
     * {@code bytes} for all sockets together (by default 1000, and 64 MB). An event beyond either is refused: the
     * client reads why in its ack when it asked for one, and it is counted as
     * {@link Cause#LIMIT_EXCEEDED}. Call before the instance is announced.
     */
    public void limitQueuedEvents(int perSocket, long bytes) {
        queued = new QueuedEvents(perSocket, bytes);
    }

    /**
     * Watches the workers that hold this backend's sockets: every {@code interval}, {@code liveness}
     * tells which of them hold a lease, and with which run id; a worker run whose lease is missing, or held by
     * another run of the worker (started again with the same id), for {@code grace} is lost, and each of its
     * sockets is disconnected here with the reason {@value #WORKER_LOST}. The loss is recorded first, so that the
     * run, should it only have been paused or cut off from Redis, sends those clients away when it is back.
     */
    public synchronized void watchWorkers(WorkerLiveness liveness, Duration interval, Duration grace) {
        if (workerWatch != null) {
            workerWatch.close();
        }
        workerWatch = new WorkerWatch(this::runsInUse, liveness::leaseHolders, run -> workerLost(liveness, run),
                requirePositive(interval), requirePositive(grace));
    }

    /**
     * The worker runs whose loss matters here: those holding this instance's sockets, or alone answering its
     * requests.
     */
    private Collection<WorkerRun> runsInUse() {
        Set<WorkerRun> runs = new java.util.HashSet<>();
        for (Map<String, BackendSocket> sockets : connectedSockets.values()) {
            for (String socketId : sockets.keySet()) {
                runs.add(SocketIds.runOf(socketId));
            }
        }
        // an emit with ack to a socket of another instance (from fetchSockets, or ns.socket(id)) waits on its worker
        requests.addAwaitedRuns(runs);
        return runs;
    }

    private void workerLost(WorkerLiveness liveness, WorkerRun run) {
        try {
            liveness.recordLoss(run);
        } catch (RuntimeException e) {
            log.warn("Could not record in Redis that worker {} was given up; should it come back, its clients stay "
                    + "on sockets this backend no longer knows: {}", run, e.toString());
        }
        // the requests first: nothing the handlers below do (or throw) may keep them waiting for good
        requests.runLost(run, WORKER_LOST);
        int count = 0;
        for (String name : List.copyOf(connectedSockets.keySet())) {
            BackendNamespace namespace = namespace(name);
            ServedHandler served = handlers.get(namespace.spec());
            for (BackendSocket socket : List.copyOf(socketsIn(name).values())) {
                // exactly the socket listed: one that left or moved meanwhile has had its disconnect, or is elsewhere
                if (run.equals(SocketIds.runOf(socket.id())) && socketForgotten(name, socket)) {
                    socketGone();
                    count++;
                    if (served != null) {
                        disconnectAfterEarlierCalls(served.calls(), served.handler(), namespace, socket, WORKER_LOST);
                    }
                }
            }
        }
        log.warn("Worker {} is gone (its lease expired, or the worker was started again): {} of its sockets "
                + "disconnected with reason '{}'", run, count, WORKER_LOST);
    }

    /**
     * What the sender of an event learns of a failed handler: the message of an {@link EventRejectedException},
     * else "internal error" (the failure is logged here, with what failed).
     */
    private static String failureMessage(Throwable failure, String what) {
        Throwable cause = thrownByHandler(failure);
        if (cause instanceof EventRejectedException && cause.getMessage() != null) {
            return cause.getMessage();
        }
        if (!(cause instanceof EventRejectedException)) {
            log.error("Handler for {} failed", LoggedText.of(what), cause);
        }
        return "internal error";
    }

    /** What the handler itself threw: reflection wraps checked exceptions in a HandlerInvocationException. */
    private static Throwable thrownByHandler(Throwable e) {
        return e instanceof HandlerInvocationException invocation ? invocation.getCause() : e;
    }

    Payload encode(Object[] args) {
        if (args == null) {
            // emit("x", null), ack.send(null): Java passes no array, where the one argument null was meant
            args = new Object[] {null};
        }
        if (args.length == 1 && args[0] instanceof SocketArgs raw) {
            return raw.payload();
        }
        return BinaryPlaceholders.encode(encodingMapper, args);
    }

    ObjectMapper mapper() {
        return mapper;
    }

    /**
     * Sends a per-socket command on the owning worker's channel only; one its worker did not hear (its subscription
     * being connected again) goes again, in order with what follows ({@link WorkerCommandLines}).
     *
     * @throws MessageTooLargeException when the command is larger than the bus publishes
     */
    void toOwner(Message.SocketCommand command) {
        commandLines.send(requireOwner(command.socketId()), command);
    }

    private static String requireOwner(String socketId) {
        String worker = SocketIds.workerOf(socketId);
        if (worker == null) {
            throw new IllegalArgumentException("'" + socketId + "' is not a distributor socket id");
        }
        return worker;
    }

    /**
     * A socket's data travels with its whole description in one message (to the instance that takes the socket
     * over, in a fetch's answer): at most half of the largest message, the rest being the handshake's.
     *
     * @throws MessageTooLargeException when it is larger
     */
    void requireSocketDataFits(long size) {
        long limit = bus.maxMessageSize() / 2;
        if (size > limit) {
            throw new MessageTooLargeException("socket data (at most half of the largest message: it travels with "
                    + "the socket's handshake)", size, limit);
        }
    }

    /** Sends a command about selected sockets to every worker serving the namespace: one publish. */
    void toWorkers(BackendNamespace namespace, Message.SelectionCommand command) {
        publishUnanswered(channels.broadcast(namespace.spec()), command);
    }

    /**
     * What the bus checks when it publishes, for a command not published at once (held behind others for its worker).
     *
     * @throws MessageTooLargeException when the command is larger than the bus publishes
     */
    private void requireFits(Message.SocketCommand command) {
        long size = MessageCodec.encode(command).length;
        if (size > bus.maxMessageSize()) {
            MessageTooLargeException tooLarge = new MessageTooLargeException(command.getClass().getSimpleName(), size,
                    bus.maxMessageSize());
            bus.dropped().record(Cause.TOO_LARGE, channels.worker(requireOwner(command.socketId())),
                    tooLarge.getMessage());
            throw tooLarge;
        }
    }

    /**
     * Publishes a message that nobody answers. Like any publish, one that Redis did not take is counted rather than
     * thrown; but one over the size limit is the caller's own error, thrown here for the call that made it.
     *
     * @throws MessageTooLargeException when the message is larger than the bus publishes
     */
    private CompletableFuture<Long> publishUnanswered(String channel, Message message) {
        CompletableFuture<Long> published = bus.publish(channel, message);
        // refused at once when too large: only then is there a failure to look at here (the caller may chain more)
        if (published.isCompletedExceptionally()
                && published.handle((receivers, thrown) -> thrown).getNow(null) instanceof MessageTooLargeException
                        tooLarge) {
            throw tooLarge;
        }
        return published;
    }

    @Override
    public synchronized void close() {
        if (presence != null) {
            presence.close();
        }
        subscriptions.forEach(MessageBus.Subscription::close);
        subscriptions.clear();
        if (workerWatch != null) {
            workerWatch.close();
        }
        requests.close();
        commandLines.close();
        completions.shutdown();
    }

    /** An ack that answers at most once, and only when one was asked for. */
    private static final class OnceAck implements FailableAck {
        private final boolean requested;
        private final Function<Object[], Payload> encoder;
        private final Consumer<Payload> sender;
        private final BiConsumer<OnceAck, Throwable> failure;
        private final AtomicBoolean sent = new AtomicBoolean();

        OnceAck(boolean requested, Function<Object[], Payload> encoder, Consumer<Payload> sender,
                BiConsumer<OnceAck, Throwable> failure) {
            this.requested = requested;
            this.encoder = encoder;
            this.sender = sender;
            this.failure = failure;
        }

        @Override
        public void fail(Throwable thrown) {
            failure.accept(this, thrown);
        }

        @Override
        public boolean requested() {
            return requested;
        }

        @Override
        public void send(Object... args) {
            answer(args);
        }

        /** Sends the ack unless none was asked for or it was already sent; tells which. */
        boolean answer(Object... args) {
            if (!requested || sent.get()) {
                return false;
            }
            // encoded before it counts as sent: a value Jackson cannot write throws here, and the error that
            // follows can still answer
            Payload payload = encoder.apply(args);
            if (sent.compareAndSet(false, true)) {
                try {
                    sender.accept(payload);
                } catch (MessageTooLargeException e) {
                    // nothing went out: the error that follows answers instead, or the client would wait for ever
                    sent.set(false);
                    throw e;
                }
                return true;
            }
            return false;
        }
    }

    /** A handler method threw; the cause is what the handler threw. */
    public static final class HandlerInvocationException extends RuntimeException {
        public HandlerInvocationException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
