package io.github.siodistributor.core.gateway;

import io.github.siodistributor.core.protocol.WorkerAddress;
import java.util.ArrayDeque;

/**
 * A live worker as one gateway sees it: where it listens, the connections it last reported, and the new sessions
 * this gateway sent it since that report.
 */
final class WorkerTarget {

    final String id;
    final WorkerAddress address;
    /** When this gateway sent the worker a new session (System.nanoTime), as long as its report may not count it. */
    private final ArrayDeque<Long> sentSinceReport = new ArrayDeque<>();
    private int reported;
    private long reportedAtNanos;
    private long reportedAtRedis = Long.MIN_VALUE;
    private boolean unreachable;

    WorkerTarget(String id, WorkerAddress address) {
        this.id = id;
        this.address = address;
    }

    /**
     * The worker's report as read: {@code connections} as the worker counted them at {@code reportedAtRedis}
     * (Redis's clock), which is {@code reportedAtNanos} on this host's clock. A report read before changes nothing;
     * a newer one also ends an earlier connect failure.
     */
    synchronized void reported(int connections, long reportedAtRedis, long reportedAtNanos) {
        if (reportedAtRedis <= this.reportedAtRedis) {
            return;
        }
        unreachable = false;
        this.reportedAtRedis = reportedAtRedis;
        this.reported = connections;
        this.reportedAtNanos = reportedAtNanos;
        while (!sentSinceReport.isEmpty() && sentSinceReport.peekFirst() - reportedAtNanos <= 0) {
            sentSinceReport.removeFirst();
        }
    }

    synchronized void sentNewSession() {
        sentSinceReport.addLast(System.nanoTime());
    }

    /** The reported connections plus the new sessions sent since. */
    synchronized int connections() {
        return reported + sentSinceReport.size();
    }

    /** Connecting failed: no new session goes here until the worker reports again. */
    synchronized void unreachable() {
        unreachable = true;
    }

    synchronized boolean reachable() {
        return !unreachable;
    }

    @Override
    public String toString() {
        return id + "@" + address;
    }
}
