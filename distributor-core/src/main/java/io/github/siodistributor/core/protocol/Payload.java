package io.github.siodistributor.core.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Socket.IO event arguments carried opaque: the UTF-8 bytes of a JSON array, exactly as the
 * sender encoded it. Workers pass it between Redis and the client without parsing it.
 *
 * <p>The array is not copied: a payload owns the bytes it is given and never changes them.
 */
public final class Payload {

    private static final Payload EMPTY = new Payload(new byte[] {'[', ']'});

    private final byte[] json;

    private Payload(byte[] json) {
        this.json = json;
    }

    /** Wraps the bytes of a JSON array; the caller hands over the array and must not change it. */
    public static Payload ofJsonArray(byte[] json) {
        if (json.length < 2 || json[0] != '[' || json[json.length - 1] != ']') {
            throw new IllegalArgumentException("a payload must be a JSON array, got " + preview(json));
        }
        return new Payload(json);
    }

    public static Payload empty() {
        return EMPTY;
    }

    /** The JSON array bytes; shared, not a copy: do not modify. */
    public byte[] jsonArray() {
        return json;
    }

    public int size() {
        return json.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Payload that && Arrays.equals(json, that.json);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(json);
    }

    @Override
    public String toString() {
        return preview(json);
    }

    private static String preview(byte[] json) {
        int shown = Math.min(json.length, 120);
        String text = new String(json, 0, shown, StandardCharsets.UTF_8);
        return shown < json.length ? text + "...(" + json.length + " bytes)" : text;
    }
}
