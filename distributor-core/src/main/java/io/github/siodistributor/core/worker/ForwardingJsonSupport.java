package io.github.siodistributor.core.worker;

import com.corundumstudio.socketio.AckCallback;
import com.corundumstudio.socketio.protocol.AckArgs;
import com.corundumstudio.socketio.protocol.ConnPacket;
import com.corundumstudio.socketio.protocol.Event;
import com.corundumstudio.socketio.protocol.JacksonJsonSupport;
import com.corundumstudio.socketio.protocol.JsonSupport;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.github.siodistributor.core.protocol.Payload;
import io.github.siodistributor.core.protocol.SocketIds;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * netty-socketio's JSON stage, bent to a worker that forwards instead of handling.
 *
 * <ul>
 *   <li>Every incoming event decodes to one synthetic event, {@link #FORWARDED_EVENT}, whose only
 *       argument is a {@link ForwardedEvent}: the real name and the argument bytes untouched. One
 *       listener per namespace then sees every event, whatever its name, and nothing is decoded
 *       into objects only to be encoded again.</li>
 *   <li>Outgoing event and ack arguments given as {@link RawArguments} are spliced in as bytes.</li>
 *   <li>A connect error's text becomes the {@code {"message": ...}} object Socket.IO v4 clients read.</li>
 *   <li>The namespace connect reply carries the distributor's socket id, which names this worker,
 *       so that the client's {@code socket.id} is the id the backends use.</li>
 * </ul>
 * Everything else (handshake, auth payloads, errors) goes to netty-socketio's Jackson support.
 */
final class ForwardingJsonSupport implements JsonSupport {

    /** Cannot collide with a client's event name: Socket.IO event names are user strings, this one has a NUL. */
    static final String FORWARDED_EVENT = "\u0000forward";

    private static final JsonFactory JSON = new JsonFactory();

    private final JsonSupport delegate = new JacksonJsonSupport();
    private final String workerId;

    ForwardingJsonSupport(String workerId) {
        this.workerId = workerId;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T readValue(String namespaceName, ByteBufInputStream src, Class<T> valueType) throws IOException {
        if (valueType == Event.class) {
            return (T) new Event(FORWARDED_EVENT, List.of(readForwardedEvent(src.readAllBytes())));
        }
        return delegate.readValue(namespaceName, src, valueType);
    }

    /** Splits {@code ["name", arg1, ...]} into the name and {@code [arg1, ...]} without decoding the arguments. */
    static ForwardedEvent readForwardedEvent(byte[] packet) throws IOException {
        String name;
        int afterName;
        try (JsonParser parser = JSON.createParser(packet)) {
            if (parser.nextToken() != JsonToken.START_ARRAY || parser.nextToken() != JsonToken.VALUE_STRING) {
                throw new IOException("an event must be a JSON array starting with the event name");
            }
            name = parser.getText();
            afterName = (int) parser.currentLocation().getByteOffset();
        }
        int end = lastNonWhitespace(packet);
        if (end < afterName || packet[end] != ']') {
            throw new IOException("an event must be a JSON array");
        }
        int next = skipWhitespace(packet, afterName);
        if (next == end) {
            return new ForwardedEvent(name, Payload.empty());
        }
        if (packet[next] != ',') {
            throw new IOException("malformed event arguments after the event name");
        }
        // "[" + everything after the comma, up to and including the closing bracket
        byte[] args = new byte[end - next + 1];
        args[0] = '[';
        System.arraycopy(packet, next + 1, args, 1, end - next);
        return new ForwardedEvent(name, Payload.ofJsonArray(args));
    }

    @Override
    public void writeValue(ByteBufOutputStream out, Object value) throws IOException {
        if (value instanceof ConnPacket connect) {
            out.write(("{\"sid\":\"" + SocketIds.of(workerId, connect.getSid()) + "\"}").getBytes(
                    java.nio.charset.StandardCharsets.UTF_8));
        } else if (value instanceof String message) {
            // netty-socketio writes a bare string only as a CONNECT_ERROR's data ("Invalid namespace");
            // Socket.IO v4 clients expect {"message": ...} there, which becomes err.message
            out.write('{');
            out.write("\"message\":\"".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.write(JsonStringEncoder.getInstance().quoteAsUTF8(message));
            out.write('"');
            out.write('}');
        } else if (value instanceof List<?> values && !values.isEmpty()
                && values.get(values.size() - 1) instanceof RawArguments raw) {
            writeSpliced(out, values, raw.payload());
        } else {
            delegate.writeValue(out, value);
        }
    }

    /** Writes {@code [<leading strings>, <payload elements>]}; the leading values are the event name, if any. */
    private static void writeSpliced(ByteBufOutputStream out, List<?> values, Payload payload) throws IOException {
        out.write('[');
        boolean first = true;
        for (int i = 0; i < values.size() - 1; i++) {
            if (!first) {
                out.write(',');
            }
            out.write('"');
            out.write(JsonStringEncoder.getInstance().quoteAsUTF8(String.valueOf(values.get(i))));
            out.write('"');
            first = false;
        }
        byte[] array = payload.jsonArray();
        int innerStart = skipWhitespace(array, 1);
        int innerEnd = array.length - 1; // the closing bracket
        if (innerStart < innerEnd) {
            if (!first) {
                out.write(',');
            }
            out.write(array, 1, innerEnd - 1);
        }
        out.write(']');
    }

    @Override
    public AckArgs readAckArgs(ByteBufInputStream src, AckCallback<?> callback) throws IOException {
        return delegate.readAckArgs(src, callback);
    }

    @Override
    public void addEventMapping(String namespaceName, String eventName, Class<?>... eventClass) {
        // events are never decoded into classes here
    }

    @Override
    public void removeEventMapping(String namespaceName, String eventName) {
    }

    @Override
    public List<byte[]> getArrays() {
        return delegate.getArrays();
    }

    private static int skipWhitespace(byte[] bytes, int from) {
        int i = from;
        while (i < bytes.length && isWhitespace(bytes[i])) {
            i++;
        }
        return i;
    }

    private static int lastNonWhitespace(byte[] bytes) {
        int i = bytes.length - 1;
        while (i >= 0 && isWhitespace(bytes[i])) {
            i--;
        }
        return i;
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }
}
