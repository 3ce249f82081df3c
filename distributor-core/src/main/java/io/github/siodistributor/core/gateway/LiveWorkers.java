package io.github.siodistributor.core.gateway;

import io.github.siodistributor.core.transport.WorkerDirectory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workers a gateway may send clients to, as last read from the {@link WorkerDirectory}: a session's owner by
 * its id, and a worker for each new session by the {@link Balancing} method.
 */
final class LiveWorkers {

    private static final Logger log = LoggerFactory.getLogger(LiveWorkers.class);
    /** Reads asked for by requests (see {@link #refreshSoon()}) are at least this far apart. */
    static final long ASKED_READ_SPACING_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * How long a request waits for a read it asked for, at most: a read takes a millisecond, but one Redis does not
     * answer (it just went away, or hangs) waits for the client's whole command timeout, and the asked read behind it.
     */
    static final long ASKED_READ_WAIT_MILLIS = 1000;

    private final WorkerDirectory directory;
    private final Balancing balancing;
    /** The thread that reads the directory, periodically and when asked. */
    private final ScheduledExecutorService reader;
    /** Reads run one at a time: periodic, asked for, and {@code refreshNow}. */
    private final Object reading = new Object();
    // guarded by this: a read asked for that has not started yet, and when the last one started
    private CompletableFuture<Void> asked;
    private long lastAskedReadAt = System.nanoTime() - ASKED_READ_SPACING_NANOS;
    private volatile boolean readFailing;
    /** When the last read succeeded (System.nanoTime). */
    private volatile long lastReadAt = System.nanoTime();
    private final AtomicInteger turn = new AtomicInteger();
    private volatile Map<String, WorkerTarget> byId = Map.of();
    /** By id: the order of round-robin turns and of least-connection ties. */
    private volatile List<WorkerTarget> inOrder = List.of();
    /** Whether any read found a live worker (reads are one at a time, under {@code reading}). */
    private boolean everLive;

    LiveWorkers(WorkerDirectory directory, Balancing balancing, ScheduledExecutorService reader) {
        this.directory = directory;
        this.balancing = balancing;
        this.reader = reader;
    }

    /**
     * Reads the directory soon rather than at the next periodic read, for a request naming a worker not known
     * here: one that started since the last read may already have sessions, opened through another gateway.
     * Completes once a read that started after this call ended, read or failed, or after {@link
     * #ASKED_READ_WAIT_MILLIS} at most. Requests asking at once share one read, and such reads are {@link
     * #ASKED_READ_SPACING_NANOS} apart, so made-up worker ids cost little.
     */
    synchronized CompletableFuture<Void> refreshSoon() {
        if (asked == null) {
            asked = new CompletableFuture<Void>().completeOnTimeout(null, ASKED_READ_WAIT_MILLIS,
                    TimeUnit.MILLISECONDS);
            long wait = Math.max(0, lastAskedReadAt + ASKED_READ_SPACING_NANOS - System.nanoTime());
            try {
                reader.schedule(this::askedRead, wait, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // the gateway is closing
                CompletableFuture<Void> refused = asked;
                asked = null;
                refused.complete(null);
                return refused;
            }
        }
        return asked;
    }

    private void askedRead() {
        CompletableFuture<Void> done;
        synchronized (this) {
            done = asked;
            asked = null;
            lastAskedReadAt = System.nanoTime();
        }
        try {
            refresh();
        } catch (RuntimeException e) {
            // logged by refresh when reads start failing; the request is answered after the read either way
        } finally {
            done.complete(null);
        }
    }

    /**
     * Reads the directory (one Redis call): new workers are added; a worker missing from it takes no new session,
     * and is forgotten (this gateway's connections to it closed) once it has been missing for its lease TTL.
     *
     * @throws RuntimeException when Redis cannot be read; the last view stays
     */
    void refresh() {
        synchronized (reading) {
            try {
                read();
            } catch (RuntimeException e) {
                if (!readFailing) {
                    readFailing = true;
                    log.warn("The distributor gateway cannot read the live workers from Redis ({}); it keeps routing "
                            + "to the {} it knew", e.toString(), inOrder.size());
                }
                throw e;
            }
            lastReadAt = System.nanoTime();
            if (readFailing) {
                readFailing = false;
                log.info("The distributor gateway reads the live workers from Redis again");
            }
        }
    }

    /** Whether the last read failed: Redis is out of reach, and a read asked for now would wait on it. */
    boolean readFailing() {
        return readFailing;
    }

    /**
     * How long ago a read last succeeded: a read waiting on a Redis that does not answer fails only at the
     * client's command timeout (a minute by default), and until then only this tells.
     */
    long nanosSinceLastRead() {
        return System.nanoTime() - lastReadAt;
    }

    private void read() {
        // taken before the read: a report's time on this host's clock is then placed early rather than late, so
        // that a new session sent just after a report is never taken for one the report counted
        long nanosBefore = System.nanoTime();
        WorkerDirectory.Snapshot snapshot = directory.read();
        // a worker's absence counts from when the read answered: one that waited through an outage longer than a
        // TTL would otherwise have every worker missing for a TTL already, before any could report again
        long nanosAfter = System.nanoTime();
        Map<String, WorkerTarget> known = byId;
        Map<String, WorkerTarget> live = new HashMap<>();
        for (WorkerDirectory.Entry entry : snapshot.workers()) {
            WorkerTarget target = known.get(entry.workerId());
            // an address that did not resolve is tried again with each report: the name may resolve by now
            if (target == null || !target.address.equals(entry.address()) || target.socketAddress.isUnresolved()) {
                if (target == null) {
                    log.info("The distributor gateway routes new sessions to worker {} at {}", entry.workerId(),
                            entry.address());
                } else if (!target.address.equals(entry.address())) {
                    log.info("Worker {} now listens at {} (was {})", entry.workerId(), entry.address(),
                            target.address);
                }
                target = new WorkerTarget(entry.workerId(), entry.address());
            }
            long ageMillis = Math.max(0, snapshot.now() - entry.reportedAt());
            target.reported(entry.connections(), entry.reportedAt(), nanosBefore - ageMillis * 1_000_000,
                    entry.expiresAt() - entry.reportedAt());
            live.put(entry.workerId(), target);
        }
        Map<String, WorkerTarget> owners = new HashMap<>(live);
        for (WorkerTarget old : known.values()) {
            if (live.get(old.id) == old) {
                continue;
            }
            if (!live.containsKey(old.id) && !old.missingFor(nanosAfter)) {
                // missing from this read only: after a Redis outage or restart the first read may come before the
                // workers renewed. Its sessions still go to it; no new one does
                owners.put(old.id, old);
            } else {
                if (!live.containsKey(old.id)) {
                    log.info("The distributor gateway forgets worker {} at {}: missing from the directory for its "
                            + "lease TTL (stopped, or dead); its sessions' connections are closed", old.id,
                            old.address);
                }
                old.forget();
            }
        }
        List<WorkerTarget> ordered = new ArrayList<>(live.values());
        ordered.sort(Comparator.comparing(target -> target.id));
        if (ordered.isEmpty() && !inOrder.isEmpty()) {
            log.warn("The distributor gateway has no live worker left: new sessions are answered 503 until one "
                    + "reports to the directory");
        } else if (!ordered.isEmpty() && inOrder.isEmpty() && everLive) {
            // the operator who saw the warning above learns it is over
            log.info("The distributor gateway has live workers again ({}): new sessions are routed", ordered.stream()
                    .map(target -> target.id).toList());
        }
        everLive |= !ordered.isEmpty();
        byId = Map.copyOf(owners);
        inOrder = List.copyOf(ordered);
    }

    /** The live worker with this id (or one missing from the last reads for less than its TTL), or null. */
    WorkerTarget owner(String workerId) {
        return byId.get(workerId);
    }

    /** The worker for a new session, counted as sent one, or null when no live worker is reachable. */
    WorkerTarget pick() {
        List<WorkerTarget> candidates = inOrder.stream().filter(WorkerTarget::reachable).toList();
        if (candidates.isEmpty()) {
            return null;
        }
        WorkerTarget picked = choose(candidates);
        // counted now, not once its connection is up: the sessions of a burst, picked before any is sent, spread
        picked.sentNewSession();
        return picked;
    }

    private WorkerTarget choose(List<WorkerTarget> candidates) {
        return switch (balancing) {
            case RANDOM -> candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
            case ROUND_ROBIN -> candidates.get(Math.floorMod(turn.getAndIncrement(), candidates.size()));
            case LEAST_CONNECTION -> {
                WorkerTarget least = candidates.get(0);
                int fewest = least.connections();
                for (WorkerTarget candidate : candidates) {
                    int connections = candidate.connections();
                    if (connections < fewest) {
                        least = candidate;
                        fewest = connections;
                    }
                }
                yield least;
            }
        };
    }

    List<KnownWorker> known() {
        return inOrder.stream().map(target -> new KnownWorker(target.id, target.address, target.connections(),
                target.reachable())).toList();
    }
}
