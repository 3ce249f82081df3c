package io.github.siodistributor.core.protocol;

import io.github.siodistributor.core.protocol.Message.AckReply;
import io.github.siodistributor.core.protocol.Message.Broadcast;
import io.github.siodistributor.core.protocol.Message.BroadcastSent;
import io.github.siodistributor.core.protocol.Message.BroadcastWithAck;
import io.github.siodistributor.core.protocol.Message.ClientAck;
import io.github.siodistributor.core.protocol.Message.ConnectDecision;
import io.github.siodistributor.core.protocol.Message.Custom;
import io.github.siodistributor.core.protocol.Message.DisconnectSocket;
import io.github.siodistributor.core.protocol.Message.DisconnectSockets;
import io.github.siodistributor.core.protocol.Message.EmitToSocket;
import io.github.siodistributor.core.protocol.Message.EmitWithAck;
import io.github.siodistributor.core.protocol.Message.FetchRooms;
import io.github.siodistributor.core.protocol.Message.FetchSockets;
import io.github.siodistributor.core.protocol.Message.InstanceAnnouncement;
import io.github.siodistributor.core.protocol.Message.JoinRooms;
import io.github.siodistributor.core.protocol.Message.LeaveRooms;
import io.github.siodistributor.core.protocol.Message.ReleaseSocket;
import io.github.siodistributor.core.protocol.Message.RoomsFetched;
import io.github.siodistributor.core.protocol.Message.SelectionCommand;
import io.github.siodistributor.core.protocol.Message.ServerSideAck;
import io.github.siodistributor.core.protocol.Message.ServerSideEmit;
import io.github.siodistributor.core.protocol.Message.SetSocketData;
import io.github.siodistributor.core.protocol.Message.SocketConnected;
import io.github.siodistributor.core.protocol.Message.SocketDisconnected;
import io.github.siodistributor.core.protocol.Message.SocketEvent;
import io.github.siodistributor.core.protocol.Message.SocketInfo;
import io.github.siodistributor.core.protocol.Message.SocketMoved;
import io.github.siodistributor.core.protocol.Message.SocketRecovered;
import io.github.siodistributor.core.protocol.Message.SocketReleased;
import io.github.siodistributor.core.protocol.Message.SocketsFetched;
import io.github.siodistributor.core.protocol.Message.SocketsJoin;
import io.github.siodistributor.core.protocol.Message.SocketsLeave;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes and decodes protocol v1 envelopes. The layout is explicit and length-prefixed (see
 * {@code docs/protocol.md}): two magic bytes {@code "SD"}, the version, the message type, then the
 * type's fields in declaration order. Payloads are copied in as bytes, never re-encoded.
 */
public final class MessageCodec {

    public static final int VERSION = 1;

    private static final int MAGIC_0 = 'S';
    private static final int MAGIC_1 = 'D';

    private static final int SOCKET_CONNECTED = 1;
    private static final int SOCKET_EVENT = 2;
    private static final int SOCKET_DISCONNECTED = 3;
    private static final int SOCKET_RECOVERED = 4;
    private static final int RELEASE_SOCKET = 5;
    private static final int SOCKET_MOVED = 6;
    private static final int EMIT_TO_SOCKET = 10;
    private static final int ACK_REPLY = 11;
    private static final int JOIN_ROOMS = 12;
    private static final int LEAVE_ROOMS = 13;
    private static final int DISCONNECT_SOCKET = 14;
    private static final int EMIT_WITH_ACK = 15;
    private static final int CLIENT_ACK = 16;
    private static final int CONNECT_DECISION = 17;
    private static final int SET_SOCKET_DATA = 18;
    private static final int SOCKET_RELEASED = 19;
    private static final int BROADCAST = 20;
    private static final int BROADCAST_WITH_ACK = 21;
    private static final int FETCH_SOCKETS = 22;
    private static final int SOCKETS_JOIN = 23;
    private static final int SOCKETS_LEAVE = 24;
    private static final int DISCONNECT_SOCKETS = 25;
    private static final int FETCH_ROOMS = 26;
    private static final int BROADCAST_SENT = 30;
    private static final int SOCKETS_FETCHED = 31;
    private static final int ROOMS_FETCHED = 32;
    private static final int SERVER_SIDE_EMIT = 40;
    private static final int SERVER_SIDE_ACK = 41;
    private static final int CUSTOM = 50;
    private static final int INSTANCE_ANNOUNCEMENT = 60;

    /** Room names, ids and the like are short; the payload dominates the size. */
    private static final int HEADER_ALLOWANCE = 128;

    private MessageCodec() {
    }

    public static byte[] encode(Message message) {
        WireWriter out = new WireWriter(HEADER_ALLOWANCE + payloadSize(message));
        out.writeByte(MAGIC_0);
        out.writeByte(MAGIC_1);
        out.writeByte(VERSION);
        if (message instanceof SocketConnected m) {
            out.writeByte(SOCKET_CONNECTED);
            out.writeString(m.namespace());
            out.writeString(m.socketId());
            writeHandshake(out, m.handshake());
        } else if (message instanceof SocketEvent m) {
            out.writeByte(SOCKET_EVENT);
            out.writeString(m.namespace());
            out.writeString(m.socketId());
            out.writeString(m.event());
            out.writeSignedVarLong(m.ackId());
            writePayload(out, m.args());
        } else if (message instanceof SocketDisconnected m) {
            out.writeByte(SOCKET_DISCONNECTED);
            out.writeString(m.namespace());
            out.writeString(m.socketId());
            out.writeText(m.reason());
        } else if (message instanceof SocketRecovered m) {
            out.writeByte(SOCKET_RECOVERED);
            out.writeString(m.namespace());
            out.writeString(m.socketId());
            writeHandshake(out, m.handshake());
            out.writeStrings(m.rooms());
            out.writeBytes(m.data());
            out.writeText(m.reason());
        } else if (message instanceof ReleaseSocket m) {
            out.writeByte(RELEASE_SOCKET);
            out.writeString(m.namespace());
            out.writeString(m.socketId());
        } else if (message instanceof SocketMoved m) {
            out.writeByte(SOCKET_MOVED);
            out.writeString(m.namespace());
            out.writeString(m.socketId());
        } else if (message instanceof SocketReleased m) {
            out.writeByte(SOCKET_RELEASED);
            out.writeString(m.namespace());
            out.writeString(m.socketId());
            out.writeString(m.backendId());
        } else if (message instanceof InstanceAnnouncement m) {
            out.writeByte(INSTANCE_ANNOUNCEMENT);
            out.writeString(m.namespace());
            out.writeString(m.backendId());
            out.writeByte(m.leaving() ? 1 : 0);
        } else if (message instanceof EmitToSocket m) {
            out.writeByte(EMIT_TO_SOCKET);
            out.writeString(m.namespace());
            out.writeString(m.socketId());
            out.writeString(m.event());
            writePayload(out, m.args());
        } else if (message instanceof EmitWithAck m) {
            out.writeByte(EMIT_WITH_ACK);
            out.writeString(m.namespace());
            out.writeString(m.socketId());
            out.writeString(m.event());
            writePayload(out, m.args());
            out.writeString(m.backendId());
            out.writeSignedVarLong(m.requestId());
        } else if (message instanceof ConnectDecision m) {
            out.writeByte(CONNECT_DECISION);
            out.writeString(m.namespace());
            out.writeString(m.socketId());
            out.writeString(m.backendId());
            out.writeByte(m.accepted() ? 1 : 0);
            out.writeText(m.message());
            out.writeBytes(m.data());
        } else if (message instanceof ClientAck m) {
            out.writeByte(CLIENT_ACK);
            out.writeString(m.namespace());
            out.writeString(m.socketId());
            out.writeSignedVarLong(m.requestId());
            writePayload(out, m.args());
            out.writeText(m.error());
        } else if (message instanceof AckReply m) {
            out.writeByte(ACK_REPLY);
            out.writeString(m.namespace());
            out.writeString(m.socketId());
            out.writeSignedVarLong(m.ackId());
            writePayload(out, m.args());
        } else if (message instanceof JoinRooms m) {
            out.writeByte(JOIN_ROOMS);
            out.writeString(m.namespace());
            out.writeString(m.socketId());
            out.writeStrings(m.rooms());
        } else if (message instanceof LeaveRooms m) {
            out.writeByte(LEAVE_ROOMS);
            out.writeString(m.namespace());
            out.writeString(m.socketId());
            out.writeStrings(m.rooms());
        } else if (message instanceof DisconnectSocket m) {
            out.writeByte(DISCONNECT_SOCKET);
            out.writeString(m.namespace());
            out.writeString(m.socketId());
            out.writeByte(m.close() ? 1 : 0);
        } else if (message instanceof SetSocketData m) {
            out.writeByte(SET_SOCKET_DATA);
            out.writeString(m.namespace());
            out.writeString(m.socketId());
            out.writeBytes(m.data());
        } else if (message instanceof SelectionCommand m) {
            writeSelectionCommand(out, m);
        } else if (message instanceof FetchRooms m) {
            out.writeByte(FETCH_ROOMS);
            out.writeString(m.namespace());
            out.writeString(m.backendId());
            out.writeSignedVarLong(m.requestId());
        } else if (message instanceof BroadcastSent m) {
            out.writeByte(BROADCAST_SENT);
            out.writeString(m.namespace());
            out.writeString(m.workerId());
            out.writeSignedVarLong(m.requestId());
            out.writeVarLong(m.clients());
        } else if (message instanceof SocketsFetched m) {
            out.writeByte(SOCKETS_FETCHED);
            out.writeString(m.namespace());
            out.writeString(m.workerId());
            out.writeSignedVarLong(m.requestId());
            writePart(out, m);
            out.writeVarLong(m.sockets().size());
            for (SocketInfo socket : m.sockets()) {
                out.writeString(socket.socketId());
                writeHandshake(out, socket.handshake());
                out.writeStrings(socket.rooms());
                out.writeBytes(socket.data());
            }
        } else if (message instanceof RoomsFetched m) {
            out.writeByte(ROOMS_FETCHED);
            out.writeString(m.namespace());
            out.writeString(m.workerId());
            out.writeSignedVarLong(m.requestId());
            writePart(out, m);
            out.writeStrings(m.rooms());
        } else if (message instanceof ServerSideEmit m) {
            out.writeByte(SERVER_SIDE_EMIT);
            out.writeString(m.namespace());
            out.writeString(m.backendId());
            out.writeSignedVarLong(m.requestId());
            out.writeString(m.event());
            writePayload(out, m.args());
        } else if (message instanceof ServerSideAck m) {
            out.writeByte(SERVER_SIDE_ACK);
            out.writeString(m.namespace());
            out.writeString(m.backendId());
            out.writeSignedVarLong(m.requestId());
            writePayload(out, m.args());
        } else if (message instanceof Custom m) {
            out.writeByte(CUSTOM);
            out.writeString(m.topic());
            out.writeString(m.senderId());
            out.writeBytes(m.body());
        } else {
            throw new IllegalArgumentException("unknown message " + message);
        }
        return out.toByteArray();
    }

    /**
     * @throws MalformedMessageException when the bytes are not a complete v1 envelope: foreign data,
     *         another version, an unknown type, a truncated field, trailing bytes or a bad payload
     */
    public static Message decode(byte[] bytes) {
        WireReader in = new WireReader(bytes);
        if (bytes.length < 2 || in.readByte() != MAGIC_0 || in.readByte() != MAGIC_1) {
            throw new MalformedMessageException("not a distributor envelope (no \"SD\" magic)");
        }
        if (bytes.length < 4) {
            throw new MalformedMessageException("a truncated envelope: " + bytes.length + " bytes, the header alone "
                    + "takes 4");
        }
        int version = in.readByte();
        if (version != VERSION) {
            throw new MalformedMessageException("unsupported protocol version " + version + ", this side speaks "
                    + VERSION);
        }
        int type = in.readByte();
        Message message;
        try {
            message = read(type, in);
        } catch (IllegalArgumentException e) {
            // a field the message itself refuses, such as a part number past the part count
            throw new MalformedMessageException("a message of type " + type + ": " + e.getMessage());
        }
        if (in.remaining() != 0) {
            throw new MalformedMessageException(in.remaining() + " unexpected trailing bytes after a message of type "
                    + type);
        }
        return message;
    }

    private static Message read(int type, WireReader in) {
        return switch (type) {
            case SOCKET_CONNECTED -> new SocketConnected(in.readString("namespace"), in.readString("socketId"),
                    readHandshake(in));
            case SOCKET_EVENT -> new SocketEvent(in.readString("namespace"), in.readString("socketId"),
                    in.readString("event"), in.readSignedVarLong(), readPayload(in));
            case SOCKET_DISCONNECTED -> new SocketDisconnected(in.readString("namespace"), in.readString("socketId"),
                    in.readString("reason"));
            case SOCKET_RECOVERED -> new SocketRecovered(in.readString("namespace"), in.readString("socketId"),
                    readHandshake(in), in.readStrings("room"), in.readBytes("data"), in.readString("reason"));
            case RELEASE_SOCKET -> new ReleaseSocket(in.readString("namespace"), in.readString("socketId"));
            case SOCKET_MOVED -> new SocketMoved(in.readString("namespace"), in.readString("socketId"));
            case SOCKET_RELEASED -> new SocketReleased(in.readString("namespace"), in.readString("socketId"),
                    in.readString("backendId"));
            case INSTANCE_ANNOUNCEMENT -> new InstanceAnnouncement(in.readString("namespace"),
                    in.readString("backendId"), readBoolean(in));
            case EMIT_TO_SOCKET -> new EmitToSocket(in.readString("namespace"), in.readString("socketId"),
                    in.readString("event"), readClientPayload(in));
            case EMIT_WITH_ACK -> new EmitWithAck(in.readString("namespace"), in.readString("socketId"),
                    in.readString("event"), readClientPayload(in), in.readString("backendId"),
                    in.readSignedVarLong());
            case CONNECT_DECISION -> new ConnectDecision(in.readString("namespace"), in.readString("socketId"),
                    in.readString("backendId"), readBoolean(in), in.readString("message"),
                    requireNoControlCharacter(in.readBytes("data")));
            case CLIENT_ACK -> new ClientAck(in.readString("namespace"), in.readString("socketId"),
                    in.readSignedVarLong(), readPayload(in), in.readString("error"));
            case ACK_REPLY -> new AckReply(in.readString("namespace"), in.readString("socketId"),
                    in.readSignedVarLong(), readClientPayload(in));
            case JOIN_ROOMS -> new JoinRooms(in.readString("namespace"), in.readString("socketId"),
                    in.readStrings("room"));
            case LEAVE_ROOMS -> new LeaveRooms(in.readString("namespace"), in.readString("socketId"),
                    in.readStrings("room"));
            case DISCONNECT_SOCKET -> new DisconnectSocket(in.readString("namespace"), in.readString("socketId"),
                    readBoolean(in));
            case SET_SOCKET_DATA -> new SetSocketData(in.readString("namespace"), in.readString("socketId"),
                    in.readBytes("data"));
            case BROADCAST -> new Broadcast(in.readString("namespace"), in.readStrings("room"),
                    in.readStrings("except room"), in.readString("event"), readClientPayload(in), readBoolean(in));
            case BROADCAST_WITH_ACK -> new BroadcastWithAck(in.readString("namespace"), in.readStrings("room"),
                    in.readStrings("except room"), in.readString("event"), readClientPayload(in),
                    in.readString("backendId"), in.readSignedVarLong());
            case FETCH_SOCKETS -> new FetchSockets(in.readString("namespace"), in.readStrings("room"),
                    in.readStrings("except room"), in.readString("backendId"), in.readSignedVarLong());
            case SOCKETS_JOIN -> new SocketsJoin(in.readString("namespace"), in.readStrings("room"),
                    in.readStrings("except room"), in.readStrings("room to join"));
            case SOCKETS_LEAVE -> new SocketsLeave(in.readString("namespace"), in.readStrings("room"),
                    in.readStrings("except room"), in.readStrings("room to leave"));
            case DISCONNECT_SOCKETS -> new DisconnectSockets(in.readString("namespace"), in.readStrings("room"),
                    in.readStrings("except room"), readBoolean(in));
            case FETCH_ROOMS -> new FetchRooms(in.readString("namespace"), in.readString("backendId"),
                    in.readSignedVarLong());
            case BROADCAST_SENT -> new BroadcastSent(in.readString("namespace"), in.readString("workerId"),
                    in.readSignedVarLong(),
                    in.readCount("client count"));
            case SOCKETS_FETCHED -> new SocketsFetched(in.readString("namespace"), in.readString("workerId"),
                    in.readSignedVarLong(), in.readCount("part"), in.readCount("parts"),
                    readSocketInfos(in));
            case ROOMS_FETCHED -> new RoomsFetched(in.readString("namespace"), in.readString("workerId"),
                    in.readSignedVarLong(), in.readCount("part"), in.readCount("parts"),
                    in.readStrings("room"));
            case SERVER_SIDE_EMIT -> new ServerSideEmit(in.readString("namespace"), in.readString("backendId"),
                    in.readSignedVarLong(), in.readString("event"), readPayload(in));
            case SERVER_SIDE_ACK -> new ServerSideAck(in.readString("namespace"), in.readString("backendId"),
                    in.readSignedVarLong(),
                    readPayload(in));
            case CUSTOM -> new Custom(in.readString("topic"), in.readString("senderId"), in.readBytes("body"));
            default -> throw new MalformedMessageException("unknown message type " + type);
        };
    }

    /** The type, the namespace and the selection, then what the command does with the selected sockets. */
    private static void writeSelectionCommand(WireWriter out, SelectionCommand command) {
        int type;
        if (command instanceof Broadcast) {
            type = BROADCAST;
        } else if (command instanceof BroadcastWithAck) {
            type = BROADCAST_WITH_ACK;
        } else if (command instanceof FetchSockets) {
            type = FETCH_SOCKETS;
        } else if (command instanceof SocketsJoin) {
            type = SOCKETS_JOIN;
        } else if (command instanceof SocketsLeave) {
            type = SOCKETS_LEAVE;
        } else {
            type = DISCONNECT_SOCKETS;
        }
        out.writeByte(type);
        out.writeString(command.namespace());
        out.writeStrings(command.rooms());
        out.writeStrings(command.exceptRooms());
        if (command instanceof Broadcast m) {
            out.writeString(m.event());
            writePayload(out, m.args());
            out.writeByte(m.discardable() ? 1 : 0);
        } else if (command instanceof BroadcastWithAck m) {
            out.writeString(m.event());
            writePayload(out, m.args());
            out.writeString(m.backendId());
            out.writeSignedVarLong(m.requestId());
        } else if (command instanceof FetchSockets m) {
            out.writeString(m.backendId());
            out.writeSignedVarLong(m.requestId());
        } else if (command instanceof SocketsJoin m) {
            out.writeStrings(m.join());
        } else if (command instanceof SocketsLeave m) {
            out.writeStrings(m.leave());
        } else if (command instanceof DisconnectSockets m) {
            out.writeByte(m.close() ? 1 : 0);
        }
    }

    private static void writePart(WireWriter out, Message.Reply reply) {
        out.writeVarLong(reply.part());
        out.writeVarLong(reply.parts());
    }

    private static List<SocketInfo> readSocketInfos(WireReader in) {
        int count = in.readLength("socket count");
        List<SocketInfo> sockets = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            sockets.add(new SocketInfo(in.readString("socketId"), readHandshake(in), in.readStrings("room"),
                    in.readBytes("data")));
        }
        return sockets;
    }

    private static void writeHandshake(WireWriter out, Handshake handshake) {
        out.writeMultiMap(handshake.headers());
        out.writeMultiMap(handshake.query());
        out.writeBytes(handshake.auth());
        out.writeText(handshake.address());
        out.writeText(handshake.url());
        out.writeVarLong(handshake.issuedAt());
    }

    private static Handshake readHandshake(WireReader in) {
        return new Handshake(in.readMultiMap("header"), in.readMultiMap("query"), in.readBytes("auth"),
                in.readString("address"), in.readString("url"), in.readVarLong());
    }

    private static boolean readBoolean(WireReader in) {
        int value = in.readByte();
        if (value > 1) {
            throw new MalformedMessageException("a boolean must be 0 or 1, got " + value);
        }
        return value == 1;
    }

    /** The JSON array, then the attachment count and each attachment. */
    private static void writePayload(WireWriter out, Payload payload) {
        out.writeBytes(payload.jsonArray());
        out.writeVarLong(payload.attachments().size());
        for (byte[] attachment : payload.attachments()) {
            out.writeBytes(attachment);
        }
    }

    /** A payload a worker carries on to clients unparsed: see {@link #requireNoControlCharacter}. */
    private static Payload readClientPayload(WireReader in) {
        return readPayload(in, true);
    }

    private static Payload readPayload(WireReader in) {
        return readPayload(in, false);
    }

    private static Payload readPayload(WireReader in, boolean toClients) {
        byte[] json = in.readBytes("payload");
        if (toClients) {
            requireNoControlCharacter(json);
        }
        int count = in.readLength("attachment count");
        List<byte[]> attachments = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            attachments.add(in.readBytes("attachment"));
        }
        try {
            return Payload.of(json, attachments);
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException(e.getMessage());
        }
    }

    /**
     * JSON text has no raw control character but its whitespace. What a worker carries on to clients (payloads,
     * a refusal's data) goes unparsed, and a record separator (0x1E) in it would cut a long-polling client's batch
     * of packets there and make a packet, of any namespace, of the rest: refused here, where the message comes
     * from Redis. (What only backends read, they parse.)
     */
    private static byte[] requireNoControlCharacter(byte[] json) {
        for (int i = 0; i < json.length; i++) {
            byte b = json[i];
            if (b >= 0 && b < 0x20 && b != '\t' && b != '\n' && b != '\r') {
                throw new MalformedMessageException("JSON for clients with the control character 0x"
                        + Integer.toHexString(b) + " at offset " + i + ", which JSON text cannot hold");
            }
        }
        return json;
    }

    private static int payloadSize(Message message) {
        if (message instanceof SocketEvent m) {
            return m.args().size();
        } else if (message instanceof EmitToSocket m) {
            return m.args().size();
        } else if (message instanceof AckReply m) {
            return m.args().size();
        } else if (message instanceof EmitWithAck m) {
            return m.args().size();
        } else if (message instanceof ClientAck m) {
            return m.args().size();
        } else if (message instanceof Broadcast m) {
            return m.args().size();
        } else if (message instanceof BroadcastWithAck m) {
            return m.args().size();
        } else if (message instanceof ServerSideEmit m) {
            return m.args().size();
        } else if (message instanceof ServerSideAck m) {
            return m.args().size();
        } else if (message instanceof SetSocketData m) {
            return m.data().length;
        } else if (message instanceof Custom m) {
            return m.body().length;
        } else if (message instanceof SocketsFetched m) {
            return m.sockets().size() * 1024;
        } else if (message instanceof SocketConnected m) {
            return m.handshake().auth().length + 1024;
        } else if (message instanceof SocketRecovered m) {
            return m.handshake().auth().length + m.data().length + 1024;
        }
        return 0;
    }
}
