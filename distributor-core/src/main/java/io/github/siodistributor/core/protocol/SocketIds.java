package io.github.siodistributor.core.protocol;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Socket ids name the worker that owns the socket ({@code <workerId>.<session uuid>}), so a
 * backend routes a per-socket command to the owner's channel without any lookup.
 */
public final class SocketIds {

    /** Worker ids go into channel names and socket ids; keep them to a safe alphabet. */
    public static final Pattern WORKER_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private SocketIds() {
    }

    public static String of(String workerId, UUID sessionId) {
        return workerId + '.' + sessionId;
    }

    /** The owning worker's id, or {@code null} when the id was not made by {@link #of}. */
    public static String workerOf(String socketId) {
        int dot = socketId.lastIndexOf('.');
        return dot > 0 ? socketId.substring(0, dot) : null;
    }

    /** The worker-local session uuid, or {@code null} when the id was not made by {@link #of}. */
    public static UUID sessionOf(String socketId) {
        int dot = socketId.lastIndexOf('.');
        if (dot <= 0) {
            return null;
        }
        String text = socketId.substring(dot + 1);
        try {
            UUID uuid = UUID.fromString(text);
            // UUID.fromString also takes short forms such as 1-2-3-4-5, which of() never makes
            return uuid.toString().equals(text) ? uuid : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    public static void requireValidWorkerId(String workerId) {
        if (workerId == null || !WORKER_ID.matcher(workerId).matches()) {
            throw new IllegalArgumentException("worker id '" + workerId + "' must match " + WORKER_ID.pattern());
        }
    }
}
