package io.github.siodistributor.core.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads what {@link WireWriter} wrote. Every length is checked against the bytes that are left,
 * so a hostile message can neither overrun the buffer nor make us allocate more than it carries.
 */
final class WireReader {

    private final byte[] buffer;
    private int position;

    WireReader(byte[] buffer) {
        this.buffer = buffer;
    }

    int readByte() {
        require(1, "byte");
        return buffer[position++] & 0xFF;
    }

    long readVarLong() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = readByte();
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw new MalformedMessageException("varint longer than 10 bytes at offset " + position);
    }

    long readSignedVarLong() {
        long raw = readVarLong();
        return (raw >>> 1) ^ -(raw & 1);
    }

    /** A count that is not a length of what follows (so not bounded by the bytes left). */
    int readCount(String what) {
        long value = readVarLong();
        if (value < 0 || value > Integer.MAX_VALUE) {
            throw new MalformedMessageException(what + " " + value + " is out of range at offset " + position);
        }
        return (int) value;
    }

    int readLength(String what) {
        long value = readVarLong();
        if (value < 0 || value > remaining()) {
            throw new MalformedMessageException(what + " length " + value + " exceeds the " + remaining()
                    + " bytes left at offset " + position);
        }
        return (int) value;
    }

    byte[] readBytes(String what) {
        int size = readLength(what);
        byte[] bytes = Arrays.copyOfRange(buffer, position, position + size);
        position += size;
        return bytes;
    }

    String readString(String what) {
        int size = readLength(what);
        String value = new String(buffer, position, size, StandardCharsets.UTF_8);
        position += size;
        return value;
    }

    List<String> readStrings(String what) {
        // each element takes at least one byte, so the count can never exceed what is left
        int count = readLength(what + " count");
        List<String> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            values.add(readString(what));
        }
        return values;
    }

    Map<String, List<String>> readMultiMap(String what) {
        int count = readLength(what + " count");
        Map<String, List<String>> map = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            map.put(readString(what + " key"), readStrings(what + " values"));
        }
        return map;
    }

    int remaining() {
        return buffer.length - position;
    }

    int position() {
        return position;
    }

    private void require(int count, String what) {
        if (remaining() < count) {
            throw new MalformedMessageException("truncated message: expected a " + what + " at offset " + position);
        }
    }
}
