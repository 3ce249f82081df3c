package io.github.siodistributor.core.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Socket.IO event arguments carried opaque: the UTF-8 bytes of a JSON array exactly as the sender
 * encoded it, and the binary attachments its {@code {"_placeholder":true,"num":n}} objects refer to.
 * Workers pass both between Redis and the client without parsing them.
 *
 * <p>The arrays are not copied: a payload owns the bytes it is given and never changes them.
 */
public final class Payload {

    private static final Payload EMPTY = new Payload(new byte[] {'[', ']'}, List.of());

    private final byte[] json;
    private final List<byte[]> attachments;

    private Payload(byte[] json, List<byte[]> attachments) {
        this.json = json;
        this.attachments = attachments;
    }

    /** Wraps the bytes of a JSON array; the caller hands over the array and must not change it. */
    public static Payload ofJsonArray(byte[] json) {
        return of(json, List.of());
    }

    /** A JSON array with binary attachments, in placeholder order; the arrays are handed over. */
    public static Payload of(byte[] json, List<byte[]> attachments) {
        if (json.length < 2 || json[0] != '[' || json[json.length - 1] != ']') {
            throw new IllegalArgumentException("a payload must be a JSON array, got " + preview(json));
        }
        return new Payload(json, List.copyOf(attachments));
    }

    public static Payload empty() {
        return EMPTY;
    }

    /** The JSON array bytes; shared, not a copy: do not modify. */
    public byte[] jsonArray() {
        return json;
    }

    /** The binary attachments, in placeholder order; shared, not copies: do not modify. */
    public List<byte[]> attachments() {
        return attachments;
    }

    public boolean hasAttachments() {
        return !attachments.isEmpty();
    }

    /** Bytes carried: the JSON and every attachment. */
    public int size() {
        int size = json.length;
        for (byte[] attachment : attachments) {
            size += attachment.length;
        }
        return size;
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof Payload that) || !Arrays.equals(json, that.json)
                || attachments.size() != that.attachments.size()) {
            return false;
        }
        for (int i = 0; i < attachments.size(); i++) {
            if (!Arrays.equals(attachments.get(i), that.attachments.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = Arrays.hashCode(json);
        for (byte[] attachment : attachments) {
            hash = 31 * hash + Arrays.hashCode(attachment);
        }
        return hash;
    }

    @Override
    public String toString() {
        String text = preview(json);
        return attachments.isEmpty() ? text : text + " +" + attachments.size() + " attachment(s)";
    }

    private static String preview(byte[] json) {
        int shown = Math.min(json.length, 120);
        String text = new String(json, 0, shown, StandardCharsets.UTF_8);
        return shown < json.length ? text + "...(" + json.length + " bytes)" : text;
    }
}
