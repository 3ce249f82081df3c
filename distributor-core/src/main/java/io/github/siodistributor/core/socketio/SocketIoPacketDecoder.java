package io.github.siodistributor.core.socketio;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Reads the text form of a Socket.IO packet, {@code <type>[<attachments>-][<namespace>,][<ack id>][<json>]},
 * with the checks of the reference parser: a known type, a numeric attachment count, a numeric ack id,
 * well-formed JSON, and data of the shape the type allows. Anything else is an
 * {@link InvalidPacketException}, upon which the server closes the connection.
 */
public final class SocketIoPacketDecoder {

    /** Event names a client may not emit: they are the Socket.IO API's own. */
    private static final Set<String> RESERVED_EVENTS = Set.of("connect", "connect_error", "disconnect",
            "disconnecting", "newListener", "removeListener");
    private static final int MAX_ATTACHMENTS = 1000;
    private static final JsonFactory JSON = new JsonFactory();

    private SocketIoPacketDecoder() {
    }

    public static SocketIoPacket decode(byte[] text) throws InvalidPacketException {
        if (text.length == 0) {
            throw new InvalidPacketException("empty packet");
        }
        PacketType type = PacketType.of(text[0]);
        if (type == null) {
            throw new InvalidPacketException("unknown packet type '" + (char) text[0] + "'");
        }
        int i = 1;
        int attachments = 0;
        if (type.binary()) {
            int dash = indexOf(text, (byte) '-', i);
            if (dash < 0) {
                throw new InvalidPacketException("binary packet without an attachment count");
            }
            attachments = (int) readNumber(text, i, dash, "attachment count", MAX_ATTACHMENTS);
            i = dash + 1;
        }
        String namespace = "/";
        if (i < text.length && text[i] == '/') {
            int comma = indexOf(text, (byte) ',', i);
            int end = comma < 0 ? text.length : comma;
            namespace = new String(text, i, end - i, StandardCharsets.UTF_8);
            i = comma < 0 ? text.length : comma + 1;
        }
        long ackId = SocketIoPacket.NO_ACK;
        int digits = i;
        while (digits < text.length && isDigit(text[digits])) {
            digits++;
        }
        if (digits > i) {
            ackId = readNumber(text, i, digits, "ack id", Long.MAX_VALUE / 10);
            i = digits;
        }
        byte[] data = null;
        if (i < text.length) {
            data = new byte[text.length - i];
            System.arraycopy(text, i, data, 0, data.length);
        }
        return validate(type, namespace, ackId, attachments, data);
    }

    private static SocketIoPacket validate(PacketType type, String namespace, long ackId, int attachments,
            byte[] data) throws InvalidPacketException {
        JsonToken root = data == null ? null : checkJson(data);
        switch (type) {
            case CONNECT -> {
                if (root != null && root != JsonToken.START_OBJECT) {
                    throw new InvalidPacketException("CONNECT data must be an object");
                }
                return new SocketIoPacket(type, namespace, SocketIoPacket.NO_ACK, 0, data, null);
            }
            case DISCONNECT -> {
                if (data != null) {
                    throw new InvalidPacketException("DISCONNECT carries no data");
                }
                return new SocketIoPacket(type, namespace, SocketIoPacket.NO_ACK, 0, null, null);
            }
            case EVENT, BINARY_EVENT -> {
                if (root != JsonToken.START_ARRAY) {
                    throw new InvalidPacketException("EVENT data must be an array");
                }
                EventSplit split = splitEvent(data);
                if (RESERVED_EVENTS.contains(split.name)) {
                    throw new InvalidPacketException("'" + split.name + "' is a reserved event name");
                }
                return new SocketIoPacket(type, namespace, ackId, attachments, split.args, split.name);
            }
            case ACK, BINARY_ACK -> {
                if (root != JsonToken.START_ARRAY || ackId == SocketIoPacket.NO_ACK) {
                    throw new InvalidPacketException("ACK needs an ack id and an array");
                }
                return new SocketIoPacket(type, namespace, ackId, attachments, data, null);
            }
            default -> throw new InvalidPacketException(type + " is not sent by clients");
        }
    }

    /** Tokenizes the whole value (no objects are built) and returns its first token. */
    private static JsonToken checkJson(byte[] data) throws InvalidPacketException {
        // Jackson would guess UTF-16/32 from NUL bytes and skip a byte order mark; Socket.IO text is UTF-8
        // JSON, where neither can occur, and backends must get nothing else
        if (data.length >= 3 && (data[0] & 0xFF) == 0xEF && (data[1] & 0xFF) == 0xBB && (data[2] & 0xFF) == 0xBF) {
            throw new InvalidPacketException("a byte order mark before the JSON data");
        }
        for (byte b : data) {
            if (b == 0) {
                throw new InvalidPacketException("a NUL byte in the JSON data (only UTF-8 is accepted)");
            }
        }
        try (JsonParser parser = JSON.createParser(data)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new InvalidPacketException("empty JSON data");
            }
            parser.skipChildren();
            if (parser.nextToken() != null) {
                throw new InvalidPacketException("trailing data after the JSON value");
            }
            return first;
        } catch (IOException e) {
            throw new InvalidPacketException("malformed JSON data: " + e.getMessage());
        }
    }

    private record EventSplit(String name, byte[] args) {
    }

    /** {@code ["name", a, b]} becomes the name and {@code [a, b]}; a numeric name is taken as its text. */
    private static EventSplit splitEvent(byte[] array) throws InvalidPacketException {
        String name;
        int afterName;
        try (JsonParser parser = JSON.createParser(array)) {
            parser.nextToken();
            JsonToken token = parser.nextToken();
            if (token != JsonToken.VALUE_STRING && token != JsonToken.VALUE_NUMBER_INT) {
                throw new InvalidPacketException("an event must start with its name");
            }
            name = parser.getText();
            afterName = (int) parser.currentLocation().getByteOffset();
        } catch (IOException e) {
            throw new InvalidPacketException("malformed event: " + e.getMessage());
        }
        if (afterName < 0) {
            throw new InvalidPacketException("event data that is not UTF-8 JSON");
        }
        int next = JsonText.skipWhitespace(array, afterName, array.length);
        int end = array.length - 1;
        while (end > next && JsonText.isWhitespace(array[end])) {
            end--;
        }
        if (next == end) {
            return new EventSplit(name, new byte[] {'[', ']'});
        }
        // the JSON is known to be well formed, so a comma follows the name
        byte[] args = new byte[end - next + 1];
        args[0] = '[';
        System.arraycopy(array, next + 1, args, 1, end - next);
        return new EventSplit(name, args);
    }

    private static long readNumber(byte[] text, int from, int to, String what, long max)
            throws InvalidPacketException {
        if (from == to) {
            throw new InvalidPacketException("missing " + what);
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            if (!isDigit(text[i])) {
                throw new InvalidPacketException("invalid " + what);
            }
            int digit = text[i] - '0';
            // checked before the multiplication, which could otherwise overflow
            if (value > (max - digit) / 10) {
                throw new InvalidPacketException(what + " " + new String(text, from, to - from,
                        StandardCharsets.US_ASCII) + " is over the limit of " + max);
            }
            value = value * 10 + digit;
        }
        return value;
    }

    private static int indexOf(byte[] text, byte wanted, int from) {
        for (int i = from; i < text.length; i++) {
            if (text[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }
}
