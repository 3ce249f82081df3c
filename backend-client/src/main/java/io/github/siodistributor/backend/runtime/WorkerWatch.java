package io.github.siodistributor.backend.runtime;

import io.github.siodistributor.core.protocol.WorkerRun;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices dead workers: every {@code interval} it reads the leases of the workers holding this backend's sockets,
 * and declares a worker run lost once its worker's lease has been missing, or held by another run (the worker
 * was started again with the same id), for {@code grace}. The grace keeps a worker that is only re-taking its
 * lease after a Redis restart from being mistaken for a dead one. When Redis cannot be asked, nothing is decided.
 */
final class WorkerWatch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WorkerWatch.class);

    private final Supplier<Collection<WorkerRun>> runsInUse;
    private final Function<Collection<String>, Map<String, String>> leaseHolders;
    private final Consumer<WorkerRun> lost;
    private final long graceNanos;
    private final long intervalNanos;
    /** When each run was first seen without its lease; touched by the watch thread only. */
    private final Map<WorkerRun, Long> missingSince = new HashMap<>();
    /** Whether the last read failed, and since when reads fail (System.nanoTime); the watch thread only. */
    private boolean unreadable;
    private long unreadableSince;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "distributor-worker-watch");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param leaseHolders of the worker ids asked, those holding a lease, each with the run id holding it
     */
    WorkerWatch(Supplier<Collection<WorkerRun>> runsInUse,
            Function<Collection<String>, Map<String, String>> leaseHolders, Consumer<WorkerRun> lost,
            Duration interval, Duration grace) {
        this.runsInUse = runsInUse;
        this.leaseHolders = leaseHolders;
        this.lost = lost;
        this.graceNanos = grace.toNanos();
        this.intervalNanos = interval.toNanos();
        timer.scheduleWithFixedDelay(this::check, interval.toNanos(), interval.toNanos(), TimeUnit.NANOSECONDS);
    }

    void check() {
        check(System::nanoTime);
    }

    /** One look at the leases, timed by {@code clock} (System.nanoTime). */
    void check(LongSupplier clock) {
        Collection<WorkerRun> runs = runsInUse.get();
        long started = clock.getAsLong();
        Set<WorkerRun> missing;
        try {
            missing = runs.isEmpty() ? Set.of() : withoutLease(runs);
        } catch (RuntimeException e) {
            log.debug("Cannot check the workers' leases now: {}", e.toString());
            if (!unreadable) {
                unreadable = true;
                unreadableSince = started;
            }
            return;
        }
        // taken after the read: a read Lettuce held through an outage answers with the leases that expired
        // meanwhile, and their workers get the whole grace from then on to take them again
        long now = clock.getAsLong();
        if (unreadable || now - started > intervalNanos) {
            // while Redis could not be asked no lease could be renewed either: the grace stops meanwhile (paused,
            // not started over, so that a Redis slow now and then cannot put a dead worker's loss off for good)
            long paused = now - (unreadable ? unreadableSince : started);
            missingSince.replaceAll((run, since) -> since + paused);
            unreadable = false;
        }
        missingSince.keySet().retainAll(missing);
        for (WorkerRun run : missing) {
            long since = missingSince.computeIfAbsent(run, r -> now);
            if (now - since >= graceNanos) {
                missingSince.remove(run);
                try {
                    lost.accept(run);
                } catch (RuntimeException e) {
                    // thrown out of here it would end the watch for good (a scheduled task that throws never runs
                    // again), e.g. an application's bounded handler executor refusing a disconnect handler
                    log.error("Handling the loss of worker {} failed; the watch goes on", run, e);
                }
            }
        }
    }

    /** The runs whose worker's lease is missing, or held by another run of it. */
    private Set<WorkerRun> withoutLease(Collection<WorkerRun> runs) {
        Map<String, String> holders = leaseHolders.apply(runs.stream().map(WorkerRun::workerId)
                .collect(Collectors.toSet()));
        return runs.stream().filter(run -> !run.runId().equals(holders.get(run.workerId())))
                .collect(Collectors.toSet());
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
