package io.github.siodistributor.backend.runtime;

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
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices dead workers: every {@code interval} it asks which of the workers holding this backend's
 * sockets have no lease, and declares a worker lost once its lease has been missing for {@code grace}
 * (so that a worker re-taking its lease after a Redis restart is not mistaken for a dead one). When
 * Redis cannot be asked, nothing is decided.
 */
final class WorkerWatch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WorkerWatch.class);

    private final Supplier<Collection<String>> workersInUse;
    private final Function<Collection<String>, Set<String>> withoutLease;
    private final Consumer<String> lost;
    private final long graceNanos;
    /** When each worker was first seen without a lease; touched by the watch thread only. */
    private final Map<String, Long> missingSince = new HashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "distributor-worker-watch");
        thread.setDaemon(true);
        return thread;
    });

    WorkerWatch(Supplier<Collection<String>> workersInUse, Function<Collection<String>, Set<String>> withoutLease,
            Consumer<String> lost, Duration interval, Duration grace) {
        this.workersInUse = workersInUse;
        this.withoutLease = withoutLease;
        this.lost = lost;
        this.graceNanos = grace.toNanos();
        timer.scheduleWithFixedDelay(this::check, interval.toNanos(), interval.toNanos(), TimeUnit.NANOSECONDS);
    }

    void check() {
        Collection<String> workers = workersInUse.get();
        Set<String> missing;
        try {
            missing = workers.isEmpty() ? Set.of() : withoutLease.apply(workers);
        } catch (RuntimeException e) {
            log.debug("Cannot check the workers' leases now: {}", e.toString());
            return;
        }
        missingSince.keySet().retainAll(missing);
        long now = System.nanoTime();
        for (String worker : missing) {
            long since = missingSince.computeIfAbsent(worker, w -> now);
            if (now - since >= graceNanos) {
                missingSince.remove(worker);
                try {
                    lost.accept(worker);
                } catch (RuntimeException e) {
                    // thrown out of here it would end the watch for good (a scheduled task that throws never runs
                    // again), e.g. an application's bounded handler executor refusing a disconnect handler
                    log.error("Handling the loss of worker '{}' failed; the watch goes on", worker, e);
                }
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
