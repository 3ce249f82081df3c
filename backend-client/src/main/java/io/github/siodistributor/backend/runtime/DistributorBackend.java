package io.github.siodistributor.backend.runtime;

import io.github.siodistributor.backend.Ack;
import io.github.siodistributor.backend.AckTimeoutException;
import io.github.siodistributor.backend.ConnectionRejectedException;
import io.github.siodistributor.backend.EventRejectedException;
import io.github.siodistributor.backend.IndirectNamespace;
import io.github.siodistributor.backend.IndirectServer;
import io.github.siodistributor.backend.NamespaceHandler;
import io.github.siodistributor.backend.SocketAckException;
import io.github.siodistributor.backend.SocketArgs;
import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.ClientErrors;
import io.github.siodistributor.core.protocol.Message;
import io.github.siodistributor.core.protocol.Message.AckReply;
import io.github.siodistributor.core.protocol.Message.ClientAck;
import io.github.siodistributor.core.protocol.Message.ConnectDecision;
import io.github.siodistributor.core.protocol.Message.EmitWithAck;
import io.github.siodistributor.core.protocol.Message.SocketConnected;
import io.github.siodistributor.core.protocol.Message.SocketDisconnected;
import io.github.siodistributor.core.protocol.Message.SocketEvent;
import io.github.siodistributor.core.protocol.Payload;
import io.github.siodistributor.core.protocol.SocketIds;
import io.github.siodistributor.core.transport.DroppedMessages.Cause;
import io.github.siodistributor.core.transport.MessageBus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicBoolean;
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

    private final MessageBus bus;
    private final ChannelNames channels;
    private final ObjectMapper mapper;
    /** Like {@code mapper}, but writes byte arrays as Socket.IO attachments. */
    private final ObjectMapper encodingMapper;
    private final KeyedSerialExecutor dispatcher;
    private final Map<String, NamespaceHandler> handlers = new LinkedHashMap<>();
    private final Map<String, BackendNamespace> namespaces = new ConcurrentHashMap<>();
    private final List<MessageBus.Subscription> subscriptions = new ArrayList<>();
    private final Executor handlerExecutor;
    /** Names this backend's reply channel: workers answer its emits with ack there. */
    private final String backendId = UUID.randomUUID().toString();
    private final AtomicLong nextRequestId = new AtomicLong();
    private final Map<Long, AwaitedAck> awaitedAcks = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ackTimeouts = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "distributor-ack-timeouts");
        thread.setDaemon(true);
        return thread;
    });

    public DistributorBackend(MessageBus bus, ChannelNames channels, ObjectMapper mapper, Executor handlerExecutor) {
        this.bus = Objects.requireNonNull(bus, "bus");
        this.channels = Objects.requireNonNull(channels, "channels");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.encodingMapper = BinaryPlaceholders.encodingMapper(mapper);
        this.dispatcher = new KeyedSerialExecutor(handlerExecutor);
        this.handlerExecutor = handlerExecutor;
        String replies = channels.reply(backendId);
        subscriptions.add(bus.subscribe(replies, message -> onClientAck(replies, message)));
    }

    /** Adds a namespace handler and subscribes to its channel; one handler per namespace. */
    public synchronized void register(NamespaceHandler handler) {
        String name = handler.namespace();
        NamespaceHandler existing = handlers.putIfAbsent(name, handler);
        if (existing != null) {
            throw new IllegalStateException("namespace " + name + " already has a handler: " + existing);
        }
        String channel = channels.backend(name);
        subscriptions.add(bus.subscribe(channel, message -> onMessage(channel, handler, message)));
    }

    public synchronized List<String> namespaces() {
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
        return namespaces.computeIfAbsent(name, n -> new BackendNamespace(n, this));
    }

    private void onMessage(String channel, NamespaceHandler handler, Message message) {
        if (!handler.namespace().equals(message.namespace())) {
            bus.dropped().record(Cause.MISROUTED, channel, message.getClass().getSimpleName() + " for namespace "
                    + message.namespace());
            return;
        }
        BackendNamespace namespace = namespace(handler.namespace());
        if (message instanceof SocketConnected connected) {
            BackendSocket socket = namespace.connected(connected.socketId(), connected.handshake());
            dispatcher.execute(socket.id(), () -> connect(handler, namespace, socket));
        } else if (message instanceof SocketEvent event) {
            BackendSocket socket = namespace.socketFor(event.socketId());
            dispatcher.execute(socket.id(), () -> handleEvent(handler, socket, event));
        } else if (message instanceof SocketDisconnected disconnected) {
            BackendSocket socket = namespace.disconnected(disconnected.socketId());
            dispatcher.execute(socket.id(), () -> handler.onDisconnect(socket, disconnected.reason()));
        } else {
            bus.dropped().record(Cause.MISROUTED, channel, message.getClass().getSimpleName()
                    + " is not a worker-to-backend message");
        }
    }

    /**
     * Runs the connect handlers, then lets the client in or turns it away. What the handlers sent the
     * socket meanwhile is held by the worker until the decision, so the client sees it after "connected".
     */
    private void connect(NamespaceHandler handler, BackendNamespace namespace, BackendSocket socket) {
        ConnectDecision decision;
        try {
            handler.onConnect(socket);
            decision = new ConnectDecision(namespace.name(), socket.id(), true, "", new byte[0]);
        } catch (ConnectionRejectedException e) {
            byte[] data = e.data() == null ? new byte[0] : mapper.writeValueAsBytes(e.data());
            decision = new ConnectDecision(namespace.name(), socket.id(), false, String.valueOf(e.getMessage()), data);
        } catch (RuntimeException e) {
            Throwable cause = thrownByHandler(e);
            log.error("Connect handler of {} failed for socket {}; the client is refused", handler.namespace(),
                    socket.id(), cause);
            decision = new ConnectDecision(namespace.name(), socket.id(), false, "internal error", new byte[0]);
        }
        if (!decision.accepted()) {
            namespace.disconnected(socket.id());
        }
        toOwner(decision);
    }

    private void handleEvent(NamespaceHandler handler, BackendSocket socket, SocketEvent event) {
        EventAck ack = new EventAck(socket, event);
        try {
            handler.onEvent(socket, event.event(), SocketArgs.wrap(event.args(), mapper), ack);
        } catch (RuntimeException e) {
            Throwable cause = thrownByHandler(e);
            String message = cause instanceof EventRejectedException ? cause.getMessage() : "internal error";
            if (!(cause instanceof EventRejectedException)) {
                log.error("Handler for event '{}' of socket {} in {} failed", event.event(), socket.id(),
                        handler.namespace(), cause);
            }
            message = message == null ? "internal error" : message;
            // in the ack when the client waits for one that is not yet answered, else as an event
            if (!ack.answer(SocketArgs.wrap(ClientErrors.ack(event.event(), message), mapper))) {
                socket.emit(ClientErrors.ERROR_EVENT, SocketArgs.wrap(ClientErrors.event(event.event(), message),
                        mapper));
            }
        }
    }

    /** An emit waiting for the client's ack. */
    private record AwaitedAck(CompletableFuture<SocketArgs> result, String socketId, String event) {
    }

    CompletableFuture<SocketArgs> emitWithAck(String namespace, String socketId, String event, Object[] args,
            Duration timeout) {
        long requestId = nextRequestId.getAndIncrement();
        CompletableFuture<SocketArgs> result = new CompletableFuture<>();
        awaitedAcks.put(requestId, new AwaitedAck(result, socketId, event));
        if (timeout != null) {
            ScheduledFuture<?> timer = ackTimeouts.schedule(() -> fail(requestId, new AckTimeoutException("socket "
                    + socketId + " did not acknowledge '" + event + "' within " + timeout)), timeout.toNanos(),
                    TimeUnit.NANOSECONDS);
            result.whenComplete((value, failure) -> timer.cancel(false));
        }
        try {
            toOwner(new EmitWithAck(namespace, socketId, event, encode(args), backendId, requestId));
        } catch (RuntimeException e) {
            awaitedAcks.remove(requestId);
            throw e;
        }
        return result;
    }

    private void onClientAck(String channel, Message message) {
        if (!(message instanceof ClientAck ack)) {
            bus.dropped().record(Cause.MISROUTED, channel, message.getClass().getSimpleName()
                    + " is not an ack reply");
            return;
        }
        AwaitedAck awaited = awaitedAcks.get(ack.requestId());
        if (awaited == null || !awaited.socketId().equals(ack.socketId())) {
            // answered after its timeout, or not ours
            bus.dropped().record(Cause.UNKNOWN_SOCKET, channel, "no emit with ack " + ack.requestId() + " waiting for "
                    + ack.socketId());
            return;
        }
        if (ack.failed()) {
            fail(ack.requestId(), new SocketAckException(ack.error()));
        } else if (awaitedAcks.remove(ack.requestId(), awaited)) {
            SocketArgs args = SocketArgs.wrap(ack.args(), mapper);
            // completed on a handler thread: the caller's callbacks must not run on the Redis delivery thread
            handlerExecutor.execute(() -> awaited.result().complete(args));
        }
    }

    private void fail(long requestId, SocketAckException failure) {
        AwaitedAck awaited = awaitedAcks.remove(requestId);
        if (awaited != null) {
            handlerExecutor.execute(() -> awaited.result().completeExceptionally(failure));
        }
    }

    /** What the handler itself threw: reflection wraps checked exceptions in a HandlerInvocationException. */
    private static Throwable thrownByHandler(RuntimeException e) {
        return e instanceof HandlerInvocationException invocation ? invocation.getCause() : e;
    }

    Payload encode(Object[] args) {
        if (args.length == 1 && args[0] instanceof SocketArgs raw) {
            return raw.payload();
        }
        return BinaryPlaceholders.encode(encodingMapper, args);
    }

    /** Sends a per-socket command on the owning worker's channel only. */
    void toOwner(Message.SocketCommand command) {
        String worker = SocketIds.workerOf(command.socketId());
        if (worker == null) {
            throw new IllegalArgumentException("'" + command.socketId() + "' is not a distributor socket id");
        }
        bus.publish(channels.worker(worker), command);
    }

    void broadcast(Message.Broadcast broadcast) {
        bus.publish(channels.broadcast(broadcast.namespace()), broadcast);
    }

    @Override
    public synchronized void close() {
        subscriptions.forEach(MessageBus.Subscription::close);
        subscriptions.clear();
        ackTimeouts.shutdownNow();
        for (Long requestId : List.copyOf(awaitedAcks.keySet())) {
            AwaitedAck awaited = awaitedAcks.remove(requestId);
            if (awaited != null) {
                awaited.result().completeExceptionally(new SocketAckException("the backend closed before socket "
                        + awaited.socketId() + " acknowledged '" + awaited.event() + "'"));
            }
        }
    }

    /** The ack of one client event; answers at most once, and only when the client asked. */
    private final class EventAck implements Ack {
        private final BackendSocket socket;
        private final SocketEvent event;
        private final AtomicBoolean sent = new AtomicBoolean();

        EventAck(BackendSocket socket, SocketEvent event) {
            this.socket = socket;
            this.event = event;
        }

        @Override
        public boolean requested() {
            return event.wantsAck();
        }

        @Override
        public void send(Object... args) {
            answer(args);
        }

        /** Sends the ack unless the client asked for none or it was already sent; tells which. */
        boolean answer(Object... args) {
            if (requested() && sent.compareAndSet(false, true)) {
                toOwner(new AckReply(event.namespace(), socket.id(), event.ackId(), encode(args)));
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
