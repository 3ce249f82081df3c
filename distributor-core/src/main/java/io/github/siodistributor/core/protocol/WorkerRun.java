package io.github.siodistributor.core.protocol;

/**
 * One run of a worker: its id, and the random id of the process run that took the id's lease. The worker ids of
 * a StatefulSet come back with each restart; the run id does not, and every socket id names it, so a backend
 * tells the sockets of a run that died from those of the same worker started again ({@link SocketIds#runOf}).
 *
 * @param workerId the worker's configured id
 * @param runId {@value #RUN_ID_LENGTH} characters of {@code A-Z a-z 0-9 - _}, random per start of the worker; the
 *     token its lease holds
 */
public record WorkerRun(String workerId, String runId) {

    public static final int RUN_ID_LENGTH = 8;

    /** The id of a new socket of this run; {@code unique} is unique within the run and has no '.'. */
    public String socketId(String unique) {
        return SocketIds.of(workerId, runId + unique);
    }

    @Override
    public String toString() {
        return workerId + " (run " + runId + ")";
    }
}
