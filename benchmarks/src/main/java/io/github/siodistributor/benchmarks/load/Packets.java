package io.github.siodistributor.benchmarks.load;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The few Engine.IO v4 / Socket.IO v5 text packets the load generator writes and reads, straight on {@link ByteBuf}s:
 * no strings, no JSON tree per message. A text packet is {@code <engine type><socket type>[/nsp,][ack id][json]},
 * e.g. {@code 42/chat,17["echo",5]} (an event with ack id 17) or {@code 43/chat,17[5]} (its ack).
 */
public final class Packets {

    /** Engine.IO packet types (first character). */
    public static final byte OPEN = '0';
    public static final byte CLOSE = '1';
    public static final byte PING = '2';
    public static final byte PONG = '3';
    public static final byte MESSAGE = '4';

    /** Socket.IO packet types (second character of a MESSAGE). */
    public static final byte CONNECT = '0';
    public static final byte DISCONNECT = '1';
    public static final byte EVENT = '2';
    public static final byte ACK = '3';
    public static final byte CONNECT_ERROR = '4';

    private Packets() {
    }

    /** What {@link #parse} found; one instance per connection, reused for every packet. */
    public static final class Parsed {
        public byte engineType;
        /** 0 when the packet is not a Socket.IO message. */
        public byte socketType;
        /** Reader index of the namespace's first character ('/'), or -1 for the main namespace. */
        public int namespaceStart = -1;
        public int namespaceEnd = -1;
        /** -1 when none. */
        public long ackId = -1;
        /** Reader index where the JSON data starts (its end is the buffer's writer index). */
        public int dataStart;

        public boolean isNamespace(ByteBuf packet, byte[] namespace) {
            if (namespaceStart < 0) {
                return namespace.length == 1 && namespace[0] == '/';
            }
            if (namespaceEnd - namespaceStart != namespace.length) {
                return false;
            }
            for (int i = 0; i < namespace.length; i++) {
                if (packet.getByte(namespaceStart + i) != namespace[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Parses a text packet's header (type, namespace, ack id) without copying it. */
    public static void parse(ByteBuf packet, Parsed into) {
        int index = packet.readerIndex();
        int end = packet.writerIndex();
        into.engineType = index < end ? packet.getByte(index++) : 0;
        into.socketType = 0;
        into.namespaceStart = -1;
        into.namespaceEnd = -1;
        into.ackId = -1;
        if (into.engineType != MESSAGE || index >= end) {
            into.dataStart = index;
            return;
        }
        into.socketType = packet.getByte(index++);
        if (index < end && packet.getByte(index) == '/') {
            int comma = packet.indexOf(index, end, (byte) ',');
            into.namespaceStart = index;
            into.namespaceEnd = comma < 0 ? end : comma;
            index = comma < 0 ? end : comma + 1;
        }
        long ackId = -1;
        while (index < end) {
            byte digit = packet.getByte(index);
            if (digit < '0' || digit > '9') {
                break;
            }
            ackId = (ackId < 0 ? 0 : ackId * 10) + (digit - '0');
            index++;
        }
        into.ackId = ackId;
        into.dataStart = index;
    }

    /** {@code 40/nsp,} or {@code 40/nsp,{auth}}. */
    public static void writeConnect(ByteBuf out, byte[] namespace, String authJson) {
        out.writeByte(MESSAGE).writeByte(CONNECT);
        writeNamespace(out, namespace);
        if (authJson != null) {
            out.writeCharSequence(authJson, StandardCharsets.UTF_8);
        }
    }

    /** {@code 42/nsp,<ackId>["event",<argsJson>]}, without the ack id when it is negative. */
    public static void writeEvent(ByteBuf out, byte[] namespace, long ackId, byte[] quotedEvent, byte[] argsJson) {
        out.writeByte(MESSAGE).writeByte(EVENT);
        writeNamespace(out, namespace);
        if (ackId >= 0) {
            writeDecimal(out, ackId);
        }
        out.writeByte('[').writeBytes(quotedEvent);
        if (argsJson != null && argsJson.length > 0) {
            out.writeByte(',').writeBytes(argsJson);
        }
        out.writeByte(']');
    }

    /** {@code 42/nsp,<ackId>["event",<number>]}: an event whose one argument is a number, written without a string. */
    public static void writeEvent(ByteBuf out, byte[] namespace, long ackId, byte[] quotedEvent, long number) {
        out.writeByte(MESSAGE).writeByte(EVENT);
        writeNamespace(out, namespace);
        if (ackId >= 0) {
            writeDecimal(out, ackId);
        }
        out.writeByte('[').writeBytes(quotedEvent).writeByte(',');
        writeDecimal(out, number);
        out.writeByte(']');
    }

    private static void writeNamespace(ByteBuf out, byte[] namespace) {
        if (namespace.length != 1 || namespace[0] != '/') {
            out.writeBytes(namespace).writeByte(',');
        }
    }

    static void writeDecimal(ByteBuf out, long value) {
        if (value < 0) {
            out.writeByte('-');
            value = -value;
        }
        if (value >= 10) {
            writeDecimal(out, value / 10);
        }
        out.writeByte((int) ('0' + value % 10));
    }

    /**
     * The number right after {@code "key":} (optionally quoted) at or after {@code from}, or -1 when the key
     * is not there: how a client reads the sequence number a broadcast carries without parsing its JSON.
     */
    public static long numberAfter(ByteBuf packet, int from, byte[] quotedKeyColon) {
        int end = packet.writerIndex();
        int last = end - quotedKeyColon.length;
        outer:
        for (int i = from; i <= last; i++) {
            for (int j = 0; j < quotedKeyColon.length; j++) {
                if (packet.getByte(i + j) != quotedKeyColon[j]) {
                    continue outer;
                }
            }
            int index = i + quotedKeyColon.length;
            if (index < end && packet.getByte(index) == '"') {
                index++;
            }
            long value = -1;
            while (index < end) {
                byte digit = packet.getByte(index++);
                if (digit < '0' || digit > '9') {
                    break;
                }
                value = (value < 0 ? 0 : value * 10) + (digit - '0');
            }
            return value;
        }
        return -1;
    }

    public static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
