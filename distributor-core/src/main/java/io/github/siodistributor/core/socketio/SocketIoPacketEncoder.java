package io.github.siodistributor.core.socketio;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.github.siodistributor.core.engine.Frame;
import io.github.siodistributor.core.protocol.Payload;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes Socket.IO packets as Engine.IO frames: the text packet
 * ({@code 4<type>[<attachments>-][<namespace>,][<ack id>]<json>}) and then each binary attachment.
 * Argument bytes from the backends are copied in as they are, never decoded; the result is built once
 * and may be sent to any number of clients.
 */
public final class SocketIoPacketEncoder {

    private SocketIoPacketEncoder() {
    }

    /** {@code 42/ns,["event",...args]}, or the binary form when the arguments carry attachments. */
    public static List<Frame> event(String namespace, String event, Payload args) {
        return event(namespace, event, SocketIoPacket.NO_ACK, args);
    }

    /** {@code 42/ns,<id>["event",...args]}: an event the client is to acknowledge with ack id {@code ackId}. */
    public static List<Frame> event(String namespace, String event, long ackId, Payload args) {
        byte[] array = args.jsonArray();
        byte[] name = JsonStringEncoder.getInstance().quoteAsUTF8(event);
        boolean hasArgs = JsonText.skipWhitespace(array, 1, array.length - 1) < array.length - 1;
        ByteArrayOutputStream out = header(args.hasAttachments() ? PacketType.BINARY_EVENT : PacketType.EVENT,
                args.attachments().size(), namespace, ackId, array.length + name.length + 4);
        out.write('[');
        out.write('"');
        out.writeBytes(name);
        out.write('"');
        if (hasArgs) {
            out.write(',');
            out.write(array, 1, array.length - 1);
        } else {
            out.write(']');
        }
        return withAttachments(out, args);
    }

    /** {@code 43/ns,<id>[...args]}, or the binary form. */
    public static List<Frame> ack(String namespace, long ackId, Payload args) {
        ByteArrayOutputStream out = header(args.hasAttachments() ? PacketType.BINARY_ACK : PacketType.ACK,
                args.attachments().size(), namespace, ackId, args.jsonArray().length);
        out.writeBytes(args.jsonArray());
        return withAttachments(out, args);
    }

    /** {@code 40/ns,{"sid":"<id>"}}: the namespace accepted the client. */
    public static Frame connect(String namespace, String socketId) {
        ByteArrayOutputStream out = header(PacketType.CONNECT, 0, namespace, SocketIoPacket.NO_ACK, 64);
        out.writeBytes(("{\"sid\":\"" + socketId + "\"}").getBytes(StandardCharsets.UTF_8));
        return Frame.text(out.toByteArray());
    }

    /** {@code 44/ns,{"message":"..."}}: the client's connect was refused. */
    public static Frame connectError(String namespace, String message) {
        return connectError(namespace, message, null);
    }

    /** {@code 44/ns,{"message":"...","data":<json>}}: refused, with data the client reads as {@code err.data}. */
    public static Frame connectError(String namespace, String message, byte[] dataJson) {
        ByteArrayOutputStream out = header(PacketType.CONNECT_ERROR, 0, namespace, SocketIoPacket.NO_ACK, 64);
        out.writeBytes("{\"message\":\"".getBytes(StandardCharsets.UTF_8));
        out.writeBytes(JsonStringEncoder.getInstance().quoteAsUTF8(message));
        out.write('"');
        if (dataJson != null && dataJson.length > 0) {
            out.writeBytes(",\"data\":".getBytes(StandardCharsets.UTF_8));
            out.writeBytes(dataJson);
        }
        out.write('}');
        return Frame.text(out.toByteArray());
    }

    /** {@code 41/ns,}: the server disconnected the client from the namespace. */
    public static Frame disconnect(String namespace) {
        return Frame.text(header(PacketType.DISCONNECT, 0, namespace, SocketIoPacket.NO_ACK, 0).toByteArray());
    }

    private static ByteArrayOutputStream header(PacketType type, int attachments, String namespace, long ackId,
            int bodySize) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bodySize + namespace.length() + 24);
        out.write('4');
        out.write(type.digit());
        if (attachments > 0) {
            out.writeBytes(Integer.toString(attachments).getBytes(StandardCharsets.US_ASCII));
            out.write('-');
        }
        if (!"/".equals(namespace)) {
            out.writeBytes(namespace.getBytes(StandardCharsets.UTF_8));
            out.write(',');
        }
        if (ackId != SocketIoPacket.NO_ACK) {
            out.writeBytes(Long.toString(ackId).getBytes(StandardCharsets.US_ASCII));
        }
        return out;
    }

    private static List<Frame> withAttachments(ByteArrayOutputStream text, Payload args) {
        if (!args.hasAttachments()) {
            return List.of(Frame.text(text.toByteArray()));
        }
        List<Frame> frames = new ArrayList<>(1 + args.attachments().size());
        frames.add(Frame.text(text.toByteArray()));
        for (byte[] attachment : args.attachments()) {
            frames.add(Frame.binary(attachment));
        }
        return frames;
    }
}
