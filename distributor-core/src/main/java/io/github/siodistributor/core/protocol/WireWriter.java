package io.github.siodistributor.core.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Appends the primitive fields of an envelope: varints, length-prefixed strings and bytes. */
final class WireWriter {

    private byte[] buffer;
    private int length;

    WireWriter(int expectedSize) {
        buffer = new byte[Math.max(expectedSize, 16)];
    }

    void writeByte(int value) {
        ensure(1);
        buffer[length++] = (byte) value;
    }

    void writeVarLong(long value) {
        ensure(10);
        while ((value & ~0x7FL) != 0) {
            buffer[length++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        buffer[length++] = (byte) value;
    }

    /** Signed values (ack ids use -1 for "none") are zig-zag encoded so small negatives stay short. */
    void writeSignedVarLong(long value) {
        writeVarLong((value << 1) ^ (value >> 63));
    }

    void writeBytes(byte[] bytes) {
        writeVarLong(bytes.length);
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buffer, length, bytes.length);
        length += bytes.length;
    }

    /** A name (namespace, event, room, id): one with a lone surrogate is refused, never sent as another name. */
    void writeString(String value) {
        writeBytes(LoneSurrogates.requireNone("the name", value).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Free text (a reason, a refusal's message, a header): a lone surrogate becomes U+FFFD, as a JSON encoder would
     * write it, rather than make a refusal or a disconnect go unsent.
     */
    void writeText(String value) {
        writeBytes(LoneSurrogates.replaced(value).getBytes(StandardCharsets.UTF_8));
    }

    void writeStrings(List<String> values) {
        writeVarLong(values.size());
        for (String value : values) {
            writeString(value);
        }
    }

    /** Headers or query parameters: text, as {@link #writeText}. */
    void writeMultiMap(Map<String, List<String>> map) {
        writeVarLong(map.size());
        for (Map.Entry<String, List<String>> entry : map.entrySet()) {
            writeText(entry.getKey());
            writeVarLong(entry.getValue().size());
            for (String value : entry.getValue()) {
                writeText(value);
            }
        }
    }

    byte[] toByteArray() {
        return length == buffer.length ? buffer : Arrays.copyOf(buffer, length);
    }

    private void ensure(int extra) {
        if (length + extra > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + extra));
        }
    }
}
