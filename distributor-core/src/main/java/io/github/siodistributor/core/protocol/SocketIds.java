package io.github.siodistributor.core.protocol;

import java.util.regex.Pattern;

/**
 * Socket ids name the worker that owns the socket ({@code <workerId>.<local id>}), so a
 * backend routes a per-socket command to the owner's channel without any lookup. A socket's local id starts with
 * the run id of the worker's process ({@link WorkerRun}).
 */
public final class SocketIds {

    /** Worker ids go into channel names and socket ids; keep them to a safe alphabet. */
    public static final Pattern WORKER_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private SocketIds() {
    }

    /** The id of a socket of {@code workerId}; {@code localId} is unique on that worker and has no '.'. */
    public static String of(String workerId, String localId) {
        return workerId + '.' + localId;
    }

    /** The owning worker's id, or {@code null} when the id was not made by {@link #of}. */
    public static String workerOf(String socketId) {
        int dot = socketId.lastIndexOf('.');
        return dot > 0 && dot < socketId.length() - 1 ? socketId.substring(0, dot) : null;
    }

    /**
     * The worker run that made the socket: its worker, and the run id that starts its local id; {@code null} when
     * the id was not made by {@link WorkerRun#socketId}.
     */
    public static WorkerRun runOf(String socketId) {
        if (!hasRun(socketId)) {
            return null;
        }
        int dot = socketId.lastIndexOf('.');
        return new WorkerRun(socketId.substring(0, dot),
                socketId.substring(dot + 1, dot + 1 + WorkerRun.RUN_ID_LENGTH));
    }

    /** Whether {@link #runOf} would find a run in {@code socketId}, without making one. */
    public static boolean hasRun(String socketId) {
        int dot = socketId.lastIndexOf('.');
        return dot > 0 && socketId.length() > dot + 1 + WorkerRun.RUN_ID_LENGTH;
    }

    public static String requireValidWorkerId(String workerId) {
        if (workerId == null || !WORKER_ID.matcher(workerId).matches()) {
            throw new IllegalArgumentException("worker id '" + workerId + "' must match " + WORKER_ID.pattern());
        }
        return workerId;
    }
}
