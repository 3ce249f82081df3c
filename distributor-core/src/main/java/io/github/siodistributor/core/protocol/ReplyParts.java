package io.github.siodistributor.core.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Cuts a long answer into parts of about {@link #PART_SIZE} bytes each. Redis disconnects a subscriber whose
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
     * The items in order, in parts of at most {@link #PART_SIZE} bytes by {@code size}; always at least one part
     * (an empty one for no items), since the asker counts parts to know the answer is whole.
     */
    public static <T> List<List<T>> split(List<T> items, ToLongFunction<T> size) {
        List<List<T>> parts = new ArrayList<>();
        List<T> part = new ArrayList<>();
        long partSize = 0;
        for (T item : items) {
            long itemSize = size.applyAsLong(item);
            if (!part.isEmpty() && partSize + itemSize > PART_SIZE) {
                parts.add(part);
                part = new ArrayList<>();
                partSize = 0;
            }
            part.add(item);
            partSize += itemSize;
        }
        parts.add(part);
        return parts;
    }

    /** About the bytes a socket's description takes on the wire (characters counted as one byte each). */
    public static long size(Message.SocketInfo socket) {
        Handshake handshake = socket.handshake();
        long size = socket.socketId().length() + socket.data().length + handshake.auth().length
                + handshake.address().length() + handshake.url().length() + 16
                + size(handshake.headers()) + size(handshake.query());
        for (String room : socket.rooms()) {
            size += size(room);
        }
        return size;
    }

    /** A string with its length prefix. */
    public static long size(String text) {
        return text.length() + 4;
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
