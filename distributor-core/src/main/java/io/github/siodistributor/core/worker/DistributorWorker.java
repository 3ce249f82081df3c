package io.github.siodistributor.core.worker;

import com.corundumstudio.socketio.AckMode;
import com.corundumstudio.socketio.AckRequest;
import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.HandshakeData;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.SocketIOServer;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import com.corundumstudio.socketio.transport.NamespaceClient;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.siodistributor.core.protocol.Handshake;
import io.github.siodistributor.core.protocol.Message;
import io.github.siodistributor.core.protocol.Message.AckReply;
import io.github.siodistributor.core.protocol.Message.Broadcast;
import io.github.siodistributor.core.protocol.Message.DisconnectSocket;
import io.github.siodistributor.core.protocol.Message.EmitToSocket;
import io.github.siodistributor.core.protocol.Message.JoinRooms;
import io.github.siodistributor.core.protocol.Message.LeaveRooms;
import io.github.siodistributor.core.protocol.Message.SocketCommand;
import io.github.siodistributor.core.protocol.Message.SocketConnected;
import io.github.siodistributor.core.protocol.Message.SocketDisconnected;
import io.github.siodistributor.core.protocol.Message.SocketEvent;
import io.github.siodistributor.core.protocol.Payload;
import io.github.siodistributor.core.protocol.SocketIds;
import io.github.siodistributor.core.transport.DroppedMessages.Cause;
import io.github.siodistributor.core.transport.MessageBus;
import io.netty.channel.ChannelFuture;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A distributor worker: holds client connections on netty-socketio and knows nothing of the
 * application. It forwards each namespace connect, event and disconnect to the namespace's backend
 * channel, and carries out what the backends send back: per-socket commands on its own channel,
 * broadcasts on the namespace broadcast channels (one Redis message, fanned out here).
 */
public final class DistributorWorker implements AutoCloseable {

    /** Disconnect reasons as the Socket.IO server reports them. */
    static final String CLIENT_DISCONNECT = "client namespace disconnect";
    static final String SERVER_DISCONNECT = "server namespace disconnect";
    static final String TRANSPORT_CLOSE = "transport close";

    private static final Logger log = LoggerFactory.getLogger(DistributorWorker.class);
    /** Encodes the rare JSON the worker writes itself (auth payloads, limit errors); events stay bytes. */
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WorkerSettings settings;
    private final MessageBus bus;
    private final SocketIOServer server;
    private final WorkerStats stats = new WorkerStats();
    /** Acks the clients asked for, by the worker-local ack id handed to the backend. */
    private final Map<String, PendingAcks> pendingAcks = new ConcurrentHashMap<>();
    /** Sockets whose disconnect the server (a backend) asked for, so the reason says so. */
    private final Set<String> serverDisconnects = ConcurrentHashMap.newKeySet();
    private final List<MessageBus.Subscription> subscriptions = new ArrayList<>();
    private volatile int boundPort = -1;

    public DistributorWorker(WorkerSettings settings, MessageBus bus) {
        this.settings = settings;
        this.bus = bus;
        Configuration configuration = new Configuration();
        configuration.setHostname(settings.host());
        configuration.setPort(settings.port());
        configuration.setJsonSupport(new ForwardingJsonSupport(settings.workerId()));
        // acks come from the backends, later and from elsewhere; never let netty-socketio answer for them
        configuration.setAckMode(AckMode.MANUAL);
        configuration.setTransports(Transport.POLLING, Transport.WEBSOCKET);
        configuration.setRandomSession(true);
        server = new SocketIOServer(configuration);
        server.setPipelineFactory(new WorkerChannelInitializer());
        for (String namespace : settings.namespaces()) {
            serve(server.addNamespace(namespace));
        }
        subscriptions.add(bus.subscribe(settings.channels().worker(settings.workerId()), this::onSocketCommand));
        for (String namespace : settings.namespaces()) {
            subscriptions.add(bus.subscribe(settings.channels().broadcast(namespace),
                    message -> onBroadcast(namespace, message)));
        }
    }

    /** Binds the listening socket; fails when the address cannot be bound. */
    public void start() {
        ChannelFuture bound = (ChannelFuture) server.startAsync().syncUninterruptibly();
        boundPort = ((InetSocketAddress) bound.channel().localAddress()).getPort();
        log.info("Distributor worker '{}' listening on {}:{}, serving {}", settings.workerId(),
                settings.host() == null ? "*" : settings.host(), boundPort, settings.namespaces());
    }

    public String id() {
        return settings.workerId();
    }

    /** The port the worker listens on (useful with port 0), or -1 before {@link #start()}. */
    public int port() {
        return boundPort;
    }

    public WorkerStats stats() {
        return stats;
    }

    /** Connected sockets of a namespace on this worker. */
    public int connectedSockets(String namespace) {
        SocketIONamespace ns = server.getNamespace(namespace);
        return ns == null ? 0 : ns.getAllClients().size();
    }

    private void serve(SocketIONamespace namespace) {
        String name = namespace.getName();
        String backendChannel = settings.channels().backend(name);
        namespace.addConnectListener(client -> {
            String socketId = socketId(client);
            pendingAcks.put(socketId, new PendingAcks());
            // as in Socket.IO, each socket is in a room named by its id: "everyone but this socket" is except(id)
            client.joinRoom(socketId);
            publish(backendChannel, new SocketConnected(name, socketId, handshakeOf(client)));
        });
        namespace.addEventListener(ForwardingJsonSupport.FORWARDED_EVENT, ForwardedEvent.class,
                (client, event, ackRequest) -> {
                    String socketId = socketId(client);
                    long ackId = SocketEvent.NO_ACK;
                    if (ackRequest.isAckRequested()) {
                        PendingAcks acks = pendingAcks.get(socketId);
                        ackId = acks == null ? SocketEvent.NO_ACK : acks.register(ackRequest);
                        if (ackId == PendingAcks.FULL) {
                            refuseOverAckLimit(socketId, event, ackRequest);
                            return;
                        }
                    }
                    publish(backendChannel, new SocketEvent(name, socketId, event.name(), ackId, event.args()));
                });
        namespace.addDisconnectListener(client -> {
            String socketId = socketId(client);
            pendingAcks.remove(socketId);
            String reason = serverDisconnects.remove(socketId) ? SERVER_DISCONNECT
                    : client.isChannelOpen() ? CLIENT_DISCONNECT : TRANSPORT_CLOSE;
            publish(backendChannel, new SocketDisconnected(name, socketId, reason));
        });
    }

    /** The client answers nothing it is asked; rather than grow without bound, the event is refused in its ack. */
    private void refuseOverAckLimit(String socketId, ForwardedEvent event, AckRequest ackRequest) {
        String message = "too many unanswered acks on this socket (limit " + PendingAcks.LIMIT + ")";
        bus.dropped().record(Cause.LIMIT_EXCEEDED, "client " + socketId, "event '" + event.name() + "': " + message);
        try {
            byte[] error = JSON.writeValueAsBytes(List.of(Map.of("error", Map.of("event", event.name(),
                    "message", message))));
            ackRequest.sendAckData(List.of(new RawArguments(Payload.ofJsonArray(error))));
        } catch (Exception e) {
            log.debug("Could not answer the refused ack of {}", socketId, e);
        }
    }

    private void publish(String channel, Message message) {
        stats.forwarded.increment();
        bus.publish(channel, message);
    }

    private String socketId(SocketIOClient client) {
        return SocketIds.of(settings.workerId(), client.getSessionId());
    }

    private Handshake handshakeOf(SocketIOClient client) {
        HandshakeData data = client.getHandshakeData();
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : data.getHttpHeaders().names()) {
            headers.put(name, data.getHttpHeaders().getAll(name));
        }
        byte[] auth;
        try {
            Object token = data.getAuthToken();
            auth = JSON.writeValueAsBytes(token == null ? Map.of() : token);
        } catch (Exception e) {
            auth = new byte[] {'{', '}'};
        }
        InetSocketAddress address = data.getAddress();
        String remote = address == null ? "" : address.getAddress() == null ? address.getHostString()
                : address.getAddress().getHostAddress();
        return new Handshake(headers, data.getUrlParams(), auth, remote, data.getUrl(), data.getTime().getTime());
    }

    private void onSocketCommand(Message message) {
        stats.socketCommands.increment();
        String channel = settings.channels().worker(settings.workerId());
        if (!(message instanceof SocketCommand command) || !settings.namespaces().contains(message.namespace())) {
            bus.dropped().record(Cause.MISROUTED, channel, message.getClass().getSimpleName() + " for namespace "
                    + message.namespace());
            return;
        }
        String socketId = command.socketId();
        UUID session = settings.workerId().equals(SocketIds.workerOf(socketId)) ? SocketIds.sessionOf(socketId) : null;
        SocketIONamespace namespace = server.getNamespace(message.namespace());
        SocketIOClient client = session == null ? null : namespace.getClient(session);
        if (client == null) {
            bus.dropped().record(Cause.UNKNOWN_SOCKET, channel, message.getClass().getSimpleName() + " for socket "
                    + socketId);
            return;
        }
        if (message instanceof EmitToSocket emit) {
            client.sendEvent(emit.event(), new RawArguments(emit.args()));
        } else if (message instanceof AckReply ack) {
            PendingAcks acks = pendingAcks.get(socketId);
            AckRequest request = acks == null ? null : acks.take(ack.ackId());
            if (request == null) {
                bus.dropped().record(Cause.UNKNOWN_SOCKET, channel, "ack " + ack.ackId() + " not pending for socket "
                        + socketId);
                return;
            }
            request.sendAckData(List.of(new RawArguments(ack.args())));
        } else if (message instanceof JoinRooms join) {
            client.joinRooms(new HashSet<>(join.rooms()));
        } else if (message instanceof LeaveRooms leave) {
            client.leaveRooms(new HashSet<>(leave.rooms()));
        } else if (message instanceof DisconnectSocket) {
            serverDisconnects.add(socketId);
            client.disconnect();
            // netty-socketio only tells the client; finish the namespace disconnect on this side too
            if (client instanceof NamespaceClient namespaceClient) {
                namespaceClient.onDisconnect();
            }
        }
    }

    private void onBroadcast(String namespace, Message message) {
        stats.broadcasts.increment();
        if (!(message instanceof Broadcast broadcast) || !broadcast.namespace().equals(namespace)) {
            bus.dropped().record(Cause.MISROUTED, settings.channels().broadcast(namespace),
                    message.getClass().getSimpleName() + " for namespace " + message.namespace());
            return;
        }
        SocketIONamespace ns = server.getNamespace(namespace);
        Packet packet = new Packet(PacketType.MESSAGE);
        packet.setSubType(PacketType.EVENT);
        packet.setName(broadcast.event());
        packet.setData(List.of(new RawArguments(broadcast.args())));
        for (SocketIOClient client : recipients(ns, broadcast)) {
            client.send(packet);
        }
    }

    private static Iterable<SocketIOClient> recipients(SocketIONamespace ns, Broadcast broadcast) {
        Map<UUID, SocketIOClient> targets = new LinkedHashMap<>();
        if (broadcast.rooms().isEmpty()) {
            ns.getAllClients().forEach(client -> targets.put(client.getSessionId(), client));
        } else {
            for (String room : broadcast.rooms()) {
                ns.getRoomOperations(room).getClients().forEach(client -> targets.put(client.getSessionId(), client));
            }
        }
        if (!broadcast.exceptRooms().isEmpty()) {
            targets.values().removeIf(client -> {
                Set<String> rooms = client.getAllRooms();
                return broadcast.exceptRooms().stream().anyMatch(rooms::contains);
            });
        }
        return targets.values();
    }

    @Override
    public void close() {
        subscriptions.forEach(MessageBus.Subscription::close);
        if (boundPort != -1) {
            server.stop();
            boundPort = -1;
        }
    }

    /** A socket's outstanding acks; the ids are worker-local, so a backend cannot answer another socket's ack. */
    private static final class PendingAcks {
        /** Unanswered acks one socket may have; a backend that never answers must not grow a worker's memory. */
        static final int LIMIT = 1024;
        static final long FULL = -2;

        private final AtomicLong nextId = new AtomicLong();
        private final Map<Long, AckRequest> requests = new ConcurrentHashMap<>();

        long register(AckRequest request) {
            if (requests.size() >= LIMIT) {
                return FULL;
            }
            long id = nextId.getAndIncrement();
            requests.put(id, request);
            return id;
        }

        AckRequest take(long id) {
            return requests.remove(id);
        }
    }
}
