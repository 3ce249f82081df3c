package io.github.siodistributor.core.socketio;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.github.siodistributor.core.protocol.LoneSurrogates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the text form of a Socket.IO packet, {@code <type>[<attachments>-][<namespace>,][<ack id>][<json>]},
 * with the checks of the reference parser: a known type, a numeric attachment count, a numeric ack id,
 * well-formed JSON, and data of the shape the type allows. Anything else is an
 * {@link InvalidPacketException}, upon which the server closes the connection.
 */
public final class SocketIoPacketDecoder {

    private static final int MAX_ATTACHMENTS = 1000;
    /**
     * Numbers of any length: JSON has no limit, nor has the reference parser ({@code JSON.parse}), and the tokenizer
     * only skips them. Jackson's default (1000 digits) would close the connection of a client sending valid JSON.
     */
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNumberLength(Integer.MAX_VALUE).build())
            .build();

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
        return validate(type, namespace, ackId, attachments, text, i);
    }

    /** Checks the JSON data at {@code text[from..]} against what the type allows and keeps the bytes it needs. */
    private static SocketIoPacket validate(PacketType type, String namespace, long ackId, int attachments,
            byte[] text, int from) throws InvalidPacketException {
        boolean event = type == PacketType.EVENT || type == PacketType.BINARY_EVENT;
        JsonScan json = from == text.length ? null : scan(text, from, event);
        JsonToken root = json == null ? null : json.root();
        switch (type) {
            case CONNECT -> {
                if (root != null && root != JsonToken.START_OBJECT) {
                    throw new InvalidPacketException("CONNECT data must be an object");
                }
                return new SocketIoPacket(type, namespace, SocketIoPacket.NO_ACK, 0, copyFrom(text, from), null);
            }
            case DISCONNECT -> {
                if (root != null) {
                    throw new InvalidPacketException("DISCONNECT carries no data");
                }
                return new SocketIoPacket(type, namespace, SocketIoPacket.NO_ACK, 0, null, null);
            }
            case EVENT, BINARY_EVENT -> {
                if (root != JsonToken.START_ARRAY) {
                    throw new InvalidPacketException("EVENT data must be an array");
                }
                if (json.eventName() == null) {
                    throw new InvalidPacketException("an event must start with its name");
                }
                if (ReservedEvents.isReserved(json.eventName())) {
                    throw new InvalidPacketException("'" + json.eventName() + "' is a reserved event name");
                }
                return new SocketIoPacket(type, namespace, ackId, attachments, argumentsAfter(text, json.afterName()),
                        json.eventName());
            }
            case ACK, BINARY_ACK -> {
                if (root != JsonToken.START_ARRAY || ackId == SocketIoPacket.NO_ACK) {
                    throw new InvalidPacketException("ACK needs an ack id and an array");
                }
                // the JSON array alone: whitespace around it is valid JSON, but the payload must be the array
                return new SocketIoPacket(type, namespace, ackId, attachments, trimmedFrom(text, from), null);
            }
            default -> throw new InvalidPacketException(type + " is not sent by clients");
        }
    }

    /**
     * What one tokenizing pass over the JSON value learned: its first token and, when asked for an event's
     * name, the name (null if the array does not start with one) and the index in the packet just after it.
     */
    private record JsonScan(JsonToken root, String eventName, int afterName) {
    }

    /** Tokenizes the whole value once (no objects are built); an event's name is read on the way. */
    private static JsonScan scan(byte[] text, int from, boolean event) throws InvalidPacketException {
        // Jackson would guess UTF-16/32 from NUL bytes and skip a byte order mark; Socket.IO text is UTF-8
        // JSON, where neither can occur, and backends must get nothing else
        if (text.length - from >= 3 && (text[from] & 0xFF) == 0xEF && (text[from + 1] & 0xFF) == 0xBB
                && (text[from + 2] & 0xFF) == 0xBF) {
            throw new InvalidPacketException("a byte order mark before the JSON data");
        }
        for (int i = from; i < text.length; i++) {
            if (text[i] == 0) {
                throw new InvalidPacketException("a NUL byte in the JSON data (only UTF-8 is accepted)");
            }
        }
        try (JsonParser parser = JSON.createParser(text, from, text.length - from)) {
            JsonToken root = parser.nextToken();
            if (root == null) {
                throw new InvalidPacketException("empty JSON data");
            }
            String name = null;
            int afterName = -1;
            if (event && root == JsonToken.START_ARRAY) {
                JsonToken first = parser.nextToken();
                if (first == JsonToken.VALUE_STRING || first == JsonToken.VALUE_NUMBER_INT) {
                    name = parser.getText();
                    int lone = LoneSurrogates.indexIn(name);
                    if (lone >= 0) {
                        // the backends could not be told which event it is: its name cannot travel as UTF-8
                        throw new InvalidPacketException(LoneSurrogates.problem("the event name", name, lone));
                    }
                    long offset = parser.currentLocation().getByteOffset();
                    if (offset < 0) {
                        throw new InvalidPacketException("event data that is not UTF-8 JSON");
                    }
                    afterName = from + (int) offset;
                }
                // the rest of the array, each element skipped whole
                JsonToken element = first;
                while (element != JsonToken.END_ARRAY) {
                    if (element == null) {
                        throw new InvalidPacketException("malformed JSON data: an unclosed array");
                    }
                    parser.skipChildren();
                    element = parser.nextToken();
                }
            } else {
                parser.skipChildren();
            }
            if (parser.nextToken() != null) {
                throw new InvalidPacketException("trailing data after the JSON value");
            }
            return new JsonScan(root, name, afterName);
        } catch (IOException e) {
            throw new InvalidPacketException("malformed JSON data: " + e.getMessage());
        }
    }

    private static byte[] copyFrom(byte[] text, int from) {
        return from == text.length ? null : Arrays.copyOfRange(text, from, text.length);
    }

    private static byte[] trimmedFrom(byte[] text, int from) {
        int start = JsonText.skipWhitespace(text, from, text.length);
        return Arrays.copyOfRange(text, start, JsonText.trimEnd(text, start, text.length));
    }

    /** {@code ["name", a, b]} becomes {@code [a, b]}: the bytes after the name, the JSON known to be well formed. */
    private static byte[] argumentsAfter(byte[] text, int afterName) {
        int next = JsonText.skipWhitespace(text, afterName, text.length);
        // the closing bracket
        int end = JsonText.trimEnd(text, next, text.length) - 1;
        if (next == end) {
            return new byte[] {'[', ']'};
        }
        // a comma follows the name
        byte[] args = new byte[end - next + 1];
        args[0] = '[';
        System.arraycopy(text, next + 1, args, 1, end - next);
        return args;
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
