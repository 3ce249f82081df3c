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
    sealed interface ClientActivity extends Message permits SocketConnected, SocketEvent, SocketDisconnected {
        String socketId();
    }

    /** What a backend asks of the one worker that owns a socket; it travels on that worker's channel only. */
    sealed interface SocketCommand extends Message permits ConnectDecision, EmitToSocket, EmitWithAck, AckReply,
            JoinRooms, LeaveRooms, DisconnectSocket {
        String socketId();
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
     * Backend to the owning worker: whether a connecting socket is let in. Until it arrives the worker
     * holds the client's connect reply and the socket's commands. A refusal carries the message and the
     * JSON data (empty for none) that the client receives as its {@code connect_error}.
     */
    record ConnectDecision(String namespace, String socketId, boolean accepted, String message, byte[] data)
            implements SocketCommand {
        public ConnectDecision {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(socketId, "socketId");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(data, "data");
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof ConnectDecision that && namespace.equals(that.namespace)
                    && socketId.equals(that.socketId) && accepted == that.accepted && message.equals(that.message)
                    && java.util.Arrays.equals(data, that.data);
        }

        @Override
        public int hashCode() {
            return Objects.hash(namespace, socketId, accepted, message, java.util.Arrays.hashCode(data));
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
            long requestId) implements SocketCommand {
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
            implements Message {
        public ClientAck {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(socketId, "socketId");
            Objects.requireNonNull(args, "args");
            Objects.requireNonNull(error, "error");
        }

        public boolean failed() {
            return !error.isEmpty();
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

    /** Backend to the owning worker: disconnect a socket from its namespace (server-side disconnect). */
    record DisconnectSocket(String namespace, String socketId) implements SocketCommand {
        public DisconnectSocket {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(socketId, "socketId");
        }
    }

    /**
     * Backend to every worker serving the namespace: emit to the sockets in any of {@code rooms}
     * (the whole namespace when empty) that are in none of {@code exceptRooms}. One publish,
     * whatever the number of clients.
     */
    record Broadcast(String namespace, List<String> rooms, List<String> exceptRooms, String event, Payload args)
            implements Message {
        public Broadcast {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(event, "event");
            Objects.requireNonNull(args, "args");
            rooms = List.copyOf(rooms);
            exceptRooms = List.copyOf(exceptRooms);
        }
    }
}
