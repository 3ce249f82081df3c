package io.github.siodistributor.core.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Cuts a long answer into parts of at most {@link #PART_SIZE} bytes each (or less: see {@link #partSize}). Redis disconnects a subscriber whose
 * pub/sub output buffer grows past its limit (32 MB by default, {@code client-output-buffer-limit pubsub}), and
 * one message counts whole: the sockets of a busy worker in one publish (each with its handshake and data)
 * would cut the asking backend off Redis, and every other message on its way to it would be lost.
 */
public final class ReplyParts {

    /** 1 MiB: a part is this size or under, unless one item alone is larger (it then makes a part by itself). */
    public static final long PART_SIZE = 1024 * 1024;

    private ReplyParts() {
    }

    /**
     * The size of the parts for a bus publishing messages of up to {@code maxMessageSize} bytes: {@link #PART_SIZE},
     * or a quarter of the largest message when that is less, so that a part stays well within it.
     */
    public static long partSize(long maxMessageSize) {
        return Math.min(PART_SIZE, maxMessageSize / 4);
    }

    /**
     * The items in order, in parts of at most {@code partSize} bytes by {@code size} (an item larger than that
     * makes a part by itself); always at least one part (an empty one for no items), since the asker counts parts
     * to know the answer is whole.
     */
    public static <T> List<List<T>> split(List<T> items, ToLongFunction<T> size, long partSize) {
        List<List<T>> parts = new ArrayList<>();
        List<T> part = new ArrayList<>();
        long taken = 0;
        for (T item : items) {
            long itemSize = size.applyAsLong(item);
            if (!part.isEmpty() && taken + itemSize > partSize) {
                parts.add(part);
                part = new ArrayList<>();
                taken = 0;
            }
            part.add(item);
            taken += itemSize;
        }
        parts.add(part);
        return parts;
    }

    /** About the bytes a socket's description takes on the wire: no less than its encoding. */
    public static long size(Message.SocketInfo socket) {
        Handshake handshake = socket.handshake();
        long size = size(socket.socketId()) + socket.data().length + handshake.auth().length
                + size(handshake.address()) + size(handshake.url()) + 16
                + size(handshake.headers()) + size(handshake.query());
        for (String room : socket.rooms()) {
            size += size(room);
        }
        return size;
    }

    /** A string's UTF-8 bytes with its length prefix. */
    public static long size(String text) {
        long bytes = 4;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            // a surrogate pair (4 bytes) counts 2 for each of its chars
            bytes += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }

    private static long size(Map<String, List<String>> multiMap) {
        long size = 4;
        for (Map.Entry<String, List<String>> entry : multiMap.entrySet()) {
            size += size(entry.getKey()) + 4;
            for (String value : entry.getValue()) {
                size += size(value);
            }
        }
        return size;
    }
}
