package io.github.siodistributor.core.protocol;

import java.util.List;
import java.util.Objects;

/**
 * Every message of wire protocol v1. The set is closed: a decoder that meets a type it does not
 * know drops the message instead of guessing. {@code docs/protocol.md} describes each one with its
 * channel, its publisher and its subscribers.
 *
 * <p>Event arguments travel as {@link Payload}: the JSON array of the Socket.IO arguments as the
 * sender wrote it, so a worker forwards it without decoding it.
 */
public sealed interface Message {

    /** The namespace this message belongs to; nothing crosses namespaces. */
    String namespace();

    /** What a worker tells the backend of a namespace about one of its sockets. */
    sealed interface ClientActivity extends Message permits SocketConnected, SocketEvent, SocketDisconnected,
            SocketRecovered, ReleaseSocket, SocketMoved {
        String socketId();
    }

    /** What a backend asks of the one worker that owns a socket; it travels on that worker's channel only. */
    sealed interface SocketCommand extends Message permits ConnectDecision, EmitToSocket, EmitWithAck, AckReply,
            JoinRooms, LeaveRooms, DisconnectSocket, SetSocketData, SocketReleased {
        String socketId();
    }

    /**
     * What a backend asks of every worker serving a namespace, about the sockets in any of {@code rooms}
     * (all of the namespace when empty) that are in none of {@code exceptRooms}. One publish on the
     * namespace's broadcast channel, whatever the number of workers and clients.
     */
    sealed interface SelectionCommand extends Message permits Broadcast, BroadcastWithAck, FetchSockets, SocketsJoin,
            SocketsLeave, DisconnectSockets {
        List<String> rooms();

        List<String> exceptRooms();
    }

    /**
     * A question to several receivers (workers or backend instances) whose answers go to the reply
     * channel of {@code backendId}, tagged with {@code requestId}.
     */
    sealed interface Request extends Message permits EmitWithAck, BroadcastWithAck, FetchSockets, FetchRooms,
            ServerSideEmit {
        String backendId();

        long requestId();
    }

    /** An answer on a backend's reply channel, for the request {@code requestId}. */
    sealed interface Reply extends Message permits ClientAck, BroadcastSent, SocketsFetched, RoomsFetched,
            ServerSideAck {
        long requestId();

        /**
         * Who answers (a worker, a backend instance, or for a client's ack its socket): a request takes one answer
         * per responder, so that a publish Redis delivered twice (Lettuce resends a command around a reconnect)
         * counts once.
         */
        String responderId();

        /**
         * Which part of its responder's answer this is, from 0. An answer that could be long (the sockets or the
         * rooms of a worker) comes in parts of about {@link ReplyParts#PART_SIZE} bytes: one publish far larger
         * than that would make Redis cut the asking backend's subscription off (its pub/sub output buffer limit).
         */
        default int part() {
            return 0;
        }

        /** How many parts make its responder's whole answer. */
        default int parts() {
            return 1;
        }
    }

    /** Checks a reply's part number against its part count. */
    private static void checkPart(int part, int parts) {
        if (parts < 1 || part < 0 || part >= parts) {
            throw new IllegalArgumentException("part " + part + " of " + parts + ": a reply has at least one part, "
                    + "numbered from 0");
        }
    }

    /** Worker to backend: a client connected to a namespace. */
    record SocketConnected(String namespace, String socketId, Handshake handshake) implements ClientActivity {
        public SocketConnected {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(socketId, "socketId");
            Objects.requireNonNull(handshake, "handshake");
        }
    }

    /** Worker to backend: a client emitted an event; {@code ackId} is {@link #NO_ACK} when it wants no ack. */
    record SocketEvent(String namespace, String socketId, String event, long ackId, Payload args)
            implements ClientActivity {
        public static final long NO_ACK = -1;

        public SocketEvent {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(socketId, "socketId");
            Objects.requireNonNull(event, "event");
            Objects.requireNonNull(args, "args");
        }

        public boolean wantsAck() {
            return ackId != NO_ACK;
        }
    }

    /** Worker to backend: a client left a namespace, with the Socket.IO disconnect reason. */
    record SocketDisconnected(String namespace, String socketId, String reason) implements ClientActivity {
        public SocketDisconnected {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(socketId, "socketId");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Worker to the backend instance a socket was moved to, because the instance that had it died or left:
     * the socket as the worker knows it (handshake, rooms, data), so that a stateless backend can rebuild
     * its context. The socket's next events follow on the same channel.
     */
    record SocketRecovered(String namespace, String socketId, Handshake handshake, List<String> rooms, byte[] data,
            String reason) implements ClientActivity {
        public SocketRecovered {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(socketId, "socketId");
            Objects.requireNonNull(handshake, "handshake");
            Objects.requireNonNull(data, "data");
            Objects.requireNonNull(reason, "reason");
            rooms = List.copyOf(rooms);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof SocketRecovered that && namespace.equals(that.namespace)
                    && socketId.equals(that.socketId) && handshake.equals(that.handshake) && rooms.equals(that.rooms)
                    && java.util.Arrays.equals(data, that.data) && reason.equals(that.reason);
        }

        @Override
        public int hashCode() {
            return Objects.hash(namespace, socketId, handshake, rooms, java.util.Arrays.hashCode(data), reason);
        }
    }

    /**
     * Worker to a backend instance that is leaving: once the events sent before this one are handled, give
     * the socket up and answer {@link SocketReleased}. Meanwhile the worker holds the socket's new events.
     */
    record ReleaseSocket(String namespace, String socketId) implements ClientActivity {
        public ReleaseSocket {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(socketId, "socketId");
        }
    }

    /**
     * Worker to a backend instance it presumed dead (its heartbeat expired): the socket moved to another
     * instance. An instance that was only paused or cut off from Redis forgets the socket, after the socket's
     * earlier activity, with no handler and no answer. A dead instance never hears it.
     */
    record SocketMoved(String namespace, String socketId) implements ClientActivity {
        public SocketMoved {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(socketId, "socketId");
        }
    }

    /**
     * Backend to the owning worker: this instance ({@code backendId}) has handled everything of the socket and let
     * it go. The worker takes it only from the instance it asked: a late one from an earlier owner must not move
     * the socket before its present instance let it go.
     */
    record SocketReleased(String namespace, String socketId, String backendId) implements SocketCommand {
        public SocketReleased {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(socketId, "socketId");
            Objects.requireNonNull(backendId, "backendId");
        }
    }

    /**
     * A backend instance to every worker, on {@code <prefix>:instances}: it now serves the namespace spec
     * {@code namespace} (a name or a pattern), or it is leaving and wants its sockets handed over. The
     * registry in Redis ({@code BackendRegistry}) stays the truth; this only makes workers act at once.
     */
    record InstanceAnnouncement(String namespace, String backendId, boolean leaving) implements Message {
        public InstanceAnnouncement {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(backendId, "backendId");
        }
    }

    /**
     * Backend to the owning worker: whether a connecting socket is let in. Until it arrives the worker
     * holds the client's connect reply and the socket's commands. A refusal carries the message and the
     * JSON data (empty for none) that the client receives as its {@code connect_error}. {@code backendId} names
     * the deciding instance: the worker takes the decision only from the instance the socket is assigned to.
     */
    record ConnectDecision(String namespace, String socketId, String backendId, boolean accepted, String message,
            byte[] data) implements SocketCommand {
        public ConnectDecision {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(socketId, "socketId");
            Objects.requireNonNull(backendId, "backendId");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(data, "data");
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof ConnectDecision that && namespace.equals(that.namespace)
                    && socketId.equals(that.socketId) && backendId.equals(that.backendId)
                    && accepted == that.accepted && message.equals(that.message)
                    && java.util.Arrays.equals(data, that.data);
        }

        @Override
        public int hashCode() {
            return Objects.hash(namespace, socketId, backendId, accepted, message, java.util.Arrays.hashCode(data));
        }
    }

    /** Backend to the owning worker: emit an event to one socket. */
    record EmitToSocket(String namespace, String socketId, String event, Payload args) implements SocketCommand {
        public EmitToSocket {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(socketId, "socketId");
            Objects.requireNonNull(event, "event");
            Objects.requireNonNull(args, "args");
        }
    }

    /**
     * Backend to the owning worker: emit an event to one socket and ask for the client's ack. The
     * worker answers with a {@link ClientAck} on the reply channel of {@code backendId}, carrying
     * {@code requestId}: the client's answer, or why there will be none.
     */
    record EmitWithAck(String namespace, String socketId, String event, Payload args, String backendId,
            long requestId) implements SocketCommand, Request {
        public EmitWithAck {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(socketId, "socketId");
            Objects.requireNonNull(event, "event");
            Objects.requireNonNull(args, "args");
            Objects.requireNonNull(backendId, "backendId");
        }
    }

    /**
     * Worker to the backend that asked: the outcome of an {@link EmitWithAck}. Either the client's ack
     * arguments ({@code error} empty) or the reason none will come, such as the socket being gone.
     */
    record ClientAck(String namespace, String socketId, long requestId, Payload args, String error)
            implements Reply {
        public ClientAck {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(socketId, "socketId");
            Objects.requireNonNull(args, "args");
            Objects.requireNonNull(error, "error");
        }

        public boolean failed() {
            return !error.isEmpty();
        }

        @Override
        public String responderId() {
            return socketId;
        }
    }

    /** Backend to the owning worker: answer a client's event ack. */
    record AckReply(String namespace, String socketId, long ackId, Payload args) implements SocketCommand {
        public AckReply {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(socketId, "socketId");
            Objects.requireNonNull(args, "args");
        }
    }

    /** Backend to the owning worker: put a socket into rooms. */
    record JoinRooms(String namespace, String socketId, List<String> rooms) implements SocketCommand {
        public JoinRooms {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(socketId, "socketId");
            rooms = List.copyOf(rooms);
        }
    }

    /** Backend to the owning worker: take a socket out of rooms. */
    record LeaveRooms(String namespace, String socketId, List<String> rooms) implements SocketCommand {
        public LeaveRooms {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(socketId, "socketId");
            rooms = List.copyOf(rooms);
        }
    }

    /**
     * Backend to the owning worker: disconnect a socket from its namespace (server-side disconnect);
     * with {@code close}, end the client's whole connection, every namespace of it.
     */
    record DisconnectSocket(String namespace, String socketId, boolean close) implements SocketCommand {
        public DisconnectSocket {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(socketId, "socketId");
        }

        public DisconnectSocket(String namespace, String socketId) {
            this(namespace, socketId, false);
        }
    }

    /**
     * Backend to the owning worker: the socket's {@code data} (JSON), kept by the worker with the socket so
     * that {@link FetchSockets} from any backend instance returns it.
     */
    record SetSocketData(String namespace, String socketId, byte[] data) implements SocketCommand {
        public SetSocketData {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(socketId, "socketId");
            Objects.requireNonNull(data, "data");
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof SetSocketData that && namespace.equals(that.namespace)
                    && socketId.equals(that.socketId) && java.util.Arrays.equals(data, that.data);
        }

        @Override
        public int hashCode() {
            return Objects.hash(namespace, socketId, java.util.Arrays.hashCode(data));
        }
    }

    /**
     * Backend to every worker serving the namespace: emit to the selected sockets. A {@code discardable}
     * emit (Socket.IO's {@code volatile}) skips clients that cannot take it at once.
     */
    record Broadcast(String namespace, List<String> rooms, List<String> exceptRooms, String event, Payload args,
            boolean discardable) implements SelectionCommand {
        public Broadcast {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(event, "event");
            Objects.requireNonNull(args, "args");
            rooms = List.copyOf(rooms);
            exceptRooms = List.copyOf(exceptRooms);
        }

        public Broadcast(String namespace, List<String> rooms, List<String> exceptRooms, String event, Payload args) {
            this(namespace, rooms, exceptRooms, event, args, false);
        }
    }

    /**
     * Backend to every worker serving the namespace: emit to the selected sockets and collect their acks.
     * Each worker answers first with a {@link BroadcastSent} (how many clients it asked), then with one
     * {@link ClientAck} per client.
     */
    record BroadcastWithAck(String namespace, List<String> rooms, List<String> exceptRooms, String event,
            Payload args, String backendId, long requestId) implements SelectionCommand, Request {
        public BroadcastWithAck {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(event, "event");
            Objects.requireNonNull(args, "args");
            Objects.requireNonNull(backendId, "backendId");
            rooms = List.copyOf(rooms);
            exceptRooms = List.copyOf(exceptRooms);
        }
    }

    /** Worker to the asking backend: how many clients a {@link BroadcastWithAck} went to on this worker. */
    record BroadcastSent(String namespace, String workerId, long requestId, int clients) implements Reply {
        public BroadcastSent {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(workerId, "workerId");
            if (clients < 0) {
                throw new IllegalArgumentException("a client count cannot be negative: " + clients);
            }
        }

        @Override
        public String responderId() {
            return workerId;
        }
    }

    /** Backend to every worker serving the namespace: describe the selected sockets ({@link SocketsFetched}). */
    record FetchSockets(String namespace, List<String> rooms, List<String> exceptRooms, String backendId,
            long requestId) implements SelectionCommand, Request {
        public FetchSockets {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(backendId, "backendId");
            rooms = List.copyOf(rooms);
            exceptRooms = List.copyOf(exceptRooms);
        }
    }

    /** One socket as a worker describes it: id, connect handshake, rooms and the data a backend set. */
    record SocketInfo(String socketId, Handshake handshake, List<String> rooms, byte[] data) {
        public SocketInfo {
            Objects.requireNonNull(socketId, "socketId");
            Objects.requireNonNull(handshake, "handshake");
            Objects.requireNonNull(data, "data");
            rooms = List.copyOf(rooms);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof SocketInfo that && socketId.equals(that.socketId)
                    && handshake.equals(that.handshake) && rooms.equals(that.rooms)
                    && java.util.Arrays.equals(data, that.data);
        }

        @Override
        public int hashCode() {
            return Objects.hash(socketId, handshake, rooms, java.util.Arrays.hashCode(data));
        }
    }

    /** Worker to the asking backend: its sockets that a {@link FetchSockets} selected, in one or more parts. */
    record SocketsFetched(String namespace, String workerId, long requestId, int part, int parts,
            List<SocketInfo> sockets) implements Reply {
        public SocketsFetched {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(workerId, "workerId");
            checkPart(part, parts);
            sockets = List.copyOf(sockets);
        }

        @Override
        public String responderId() {
            return workerId;
        }
    }

    /** Backend to every worker serving the namespace: put the selected sockets into {@code join}. */
    record SocketsJoin(String namespace, List<String> rooms, List<String> exceptRooms, List<String> join)
            implements SelectionCommand {
        public SocketsJoin {
            Objects.requireNonNull(namespace, "namespace");
            rooms = List.copyOf(rooms);
            exceptRooms = List.copyOf(exceptRooms);
            join = List.copyOf(join);
        }
    }

    /** Backend to every worker serving the namespace: take the selected sockets out of {@code leave}. */
    record SocketsLeave(String namespace, List<String> rooms, List<String> exceptRooms, List<String> leave)
            implements SelectionCommand {
        public SocketsLeave {
            Objects.requireNonNull(namespace, "namespace");
            rooms = List.copyOf(rooms);
            exceptRooms = List.copyOf(exceptRooms);
            leave = List.copyOf(leave);
        }
    }

    /** Backend to every worker serving the namespace: disconnect the selected sockets, as {@link DisconnectSocket}. */
    record DisconnectSockets(String namespace, List<String> rooms, List<String> exceptRooms, boolean close)
            implements SelectionCommand {
        public DisconnectSockets {
            Objects.requireNonNull(namespace, "namespace");
            rooms = List.copyOf(rooms);
            exceptRooms = List.copyOf(exceptRooms);
        }
    }

    /** Backend to every worker serving the namespace: which rooms have members ({@link RoomsFetched}). */
    record FetchRooms(String namespace, String backendId, long requestId) implements Request {
        public FetchRooms {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(backendId, "backendId");
        }
    }

    /** Worker to the asking backend: the rooms of the namespace with members on this worker, in one or more parts. */
    record RoomsFetched(String namespace, String workerId, long requestId, int part, int parts, List<String> rooms)
            implements Reply {
        public RoomsFetched {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(workerId, "workerId");
            checkPart(part, parts);
            rooms = List.copyOf(rooms);
        }

        @Override
        public String responderId() {
            return workerId;
        }
    }

    /**
     * Backend instance to the other instances serving the namespace (its peers channel): an event for
     * their handlers. With a {@code requestId} other than {@link #NO_ACK}, each answers with a
     * {@link ServerSideAck} on the reply channel of {@code backendId}, the sender.
     */
    record ServerSideEmit(String namespace, String backendId, long requestId, String event, Payload args)
            implements Request {
        public static final long NO_ACK = -1;

        public ServerSideEmit {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(backendId, "backendId");
            Objects.requireNonNull(event, "event");
            Objects.requireNonNull(args, "args");
        }

        public boolean wantsAck() {
            return requestId != NO_ACK;
        }
    }

    /** Backend instance to the sender of a {@link ServerSideEmit}: its handler's answer. */
    record ServerSideAck(String namespace, String backendId, long requestId, Payload args) implements Reply {
        public ServerSideAck {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(backendId, "backendId");
            Objects.requireNonNull(args, "args");
        }

        @Override
        public String responderId() {
            return backendId;
        }
    }

    /**
     * An application's own message on {@code <prefix>:custom:<topic>}, between any workers and backends
     * (see {@code CustomMessages}); the body is opaque to the distributor. Not bound to a namespace: its
     * {@link #namespace()} is empty.
     */
    record Custom(String topic, String senderId, byte[] body) implements Message {
        public Custom {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(senderId, "senderId");
            Objects.requireNonNull(body, "body");
        }

        @Override
        public String namespace() {
            return "";
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Custom that && topic.equals(that.topic) && senderId.equals(that.senderId)
                    && java.util.Arrays.equals(body, that.body);
        }

        @Override
        public int hashCode() {
            return Objects.hash(topic, senderId, java.util.Arrays.hashCode(body));
        }
    }
}
