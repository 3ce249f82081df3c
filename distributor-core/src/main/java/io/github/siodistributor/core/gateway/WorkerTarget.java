package io.github.siodistributor.core.gateway;

import io.github.siodistributor.core.protocol.WorkerAddress;
import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * A live worker as one gateway sees it: where it listens, the connections it last reported, and the new sessions
 * this gateway sent it since that report.
 */
final class WorkerTarget {

    /** How long a worker that did not answer a new session gets no other. */
    static final Duration SILENT_BACKOFF = Duration.ofSeconds(30);

    final String id;
    final WorkerAddress address;
    /** Resolved once, on the directory reader's thread: a DNS lookup must not block an event loop. */
    final InetSocketAddress socketAddress;
    /** When this gateway sent the worker a new session (System.nanoTime), as long as its report may not count it. */
    private final ArrayDeque<Long> sentSinceReport = new ArrayDeque<>();
    private int reported;
    private long reportedAtNanos;
    private long reportedAtRedis = Long.MIN_VALUE;
    private boolean unreachable;
    /** Until when (System.nanoTime) the worker gets no new session for not answering one; see {@link #silent}. */
    private long silentUntil;
    private boolean silent;
    /** This gateway's open connections to the worker, from every client connection's event loop. */
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private volatile boolean forgotten;
    /** The worker's lease TTL, from its report; and since when reads miss it (0: seen in the last one). */
    private long ttlNanos;
    private long missingSince;

    WorkerTarget(String id, WorkerAddress address) {
        this.id = id;
        this.address = address;
        // unresolvable: connecting fails, and the worker gets no new session until it reports again
        this.socketAddress = new InetSocketAddress(address.host(), address.port());
    }

    /**
     * The worker's report as read: {@code connections} as the worker counted them at {@code reportedAtRedis}
     * (Redis's clock), which is {@code reportedAtNanos} on this host's clock. A report read before changes nothing;
     * a newer one also ends an earlier connect failure.
     */
    synchronized void reported(int connections, long reportedAtRedis, long reportedAtNanos, long ttlMillis) {
        missingSince = 0;
        ttlNanos = Math.max(0, ttlMillis) * 1_000_000;
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

    /**
     * It took the connection but did not answer a new session: its process is frozen or its event loop stuck, while
     * its lease, renewed on another thread, lives on. No new session goes to it for {@link #SILENT_BACKOFF}, whatever
     * it reports meanwhile; then one may try it again.
     */
    synchronized void silent(long nowNanos) {
        silent = true;
        silentUntil = nowNanos + SILENT_BACKOFF.toNanos();
    }

    boolean reachable() {
        return reachable(System.nanoTime());
    }

    synchronized boolean reachable(long nowNanos) {
        return !unreachable && !(silent && nowNanos - silentUntil < 0);
    }

    /**
     * A read (at {@code now}) that did not list the worker: whether it has been missing for its lease TTL, on this
     * gateway's clock, so that it is gone rather than late to report again after an outage.
     */
    synchronized boolean missingFor(long now) {
        if (missingSince == 0) {
            missingSince = now;
        }
        return now - missingSince >= ttlNanos;
    }

    /** A connection to the worker: closed when the worker is forgotten. */
    void track(Channel connection) {
        connections.add(connection);
        if (forgotten) {
            // forgotten while this connection was being made: the group's close may have missed it
            connection.close();
        }
    }

    /**
     * The worker has been missing from the directory for its lease TTL: it is dead, or its host vanished without
     * resetting its connections, or it moved to another address. Closing
     * them ends what waits on it at once (a parked poll gets "Session ID unknown", a WebSocket closes) instead of
     * leaving its clients to their own heartbeat timeout.
     */
    void forget() {
        forgotten = true;
        connections.close();
    }

    boolean forgotten() {
        return forgotten;
    }

    @Override
    public String toString() {
        return id + "@" + address;
    }
}
