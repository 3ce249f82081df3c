package io.github.siodistributor.backend.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.github.siodistributor.core.protocol.WorkerRun;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Which worker runs the watch declares lost, and that it keeps watching whatever the handling of one loss does. */
class WorkerWatchTest {

    private static final WorkerRun W1 = new WorkerRun("w1", "run00001");
    private static final WorkerRun W2 = new WorkerRun("w2", "run00001");

    private final List<WorkerRun> lost = new CopyOnWriteArrayList<>();

    @Test
    void aLossWhoseHandlingFailsStopsNeitherTheOtherLossesNorTheWatch() {
        // an hour between scheduled checks: the test runs them itself
        try (WorkerWatch watch = new WorkerWatch(() -> List.of(W1, W2), workers -> Map.of(), run -> {
            lost.add(run);
            if (run.equals(W1)) {
                throw new RejectedExecutionException("the application's handler executor is full");
            }
        }, Duration.ofHours(1), Duration.ZERO)) {
            assertThatCode(watch::check).doesNotThrowAnyException();
            assertThat(lost).containsExactlyInAnyOrder(W1, W2);

            watch.check();
            assertThat(lost).hasSize(4).containsOnly(W1, W2);
        }
    }

    @Test
    void aRunIsLostWhenItsWorkersLeaseIsHeldByAnotherRunOfTheSameIdAndNotWhileItHoldsItItself() {
        Map<String, String> leases = new ConcurrentHashMap<>(Map.of("w1", W1.runId(), "w2", W2.runId()));
        try (WorkerWatch watch = new WorkerWatch(() -> List.of(W1, W2), workers -> Map.copyOf(leases), lost::add,
                Duration.ofHours(1), Duration.ZERO)) {
            watch.check();
            assertThat(lost).isEmpty();

            // w1 was killed, and started again with its id before the backends noticed its lease missing
            leases.put("w1", "run00002");
            watch.check();

            assertThat(lost).containsExactly(W1);
        }
    }

    @Test
    void aRunIsLostOnceItsLeaseHasBeenMissingForTheGraceWithoutComingBackMeanwhile() {
        Map<String, String> leases = new ConcurrentHashMap<>();
        // the checks run at the times the test gives, in nanoseconds; a grace of 100
        try (WorkerWatch watch = new WorkerWatch(() -> List.of(W1), workers -> Map.copyOf(leases), lost::add,
                Duration.ofHours(1), Duration.ofNanos(100))) {
            watch.check(() -> 0);
            // the lease is back (a worker re-taking it after a Redis restart), within the grace: the wait starts over
            leases.put("w1", W1.runId());
            watch.check(() -> 50);
            leases.clear();
            watch.check(() -> 120);
            watch.check(() -> 219);
            assertThat(lost).as("missing for 99 since it went again").isEmpty();

            watch.check(() -> 220);
            assertThat(lost).containsExactly(W1);
        }
    }

    /**
     * A Redis restart lost the leases, and the backend's read waited through the outage (Lettuce holds commands while
     * it reconnects): its answer lists workers without a lease although none could renew meanwhile. Each gets the
     * whole grace from that answer to take its lease again: w2, whose lease was there before, and w1, already missing
     * before the outage.
     */
    @Test
    void aReadThatWaitedThroughAnOutageStartsTheGraceWhenItAnswers() {
        AtomicLong clock = new AtomicLong();
        AtomicLong readTakes = new AtomicLong();
        Map<String, String> leases = new ConcurrentHashMap<>(Map.of("w2", W2.runId()));
        // checks every hour (the test runs them, on a clock of its own), a grace of 100 ns
        try (WorkerWatch watch = new WorkerWatch(() -> List.of(W1, W2), workers -> {
            clock.addAndGet(readTakes.get());
            return Map.copyOf(leases);
        }, lost::add, Duration.ofHours(1), Duration.ofNanos(100))) {
            watch.check(clock::get);
            leases.clear();
            // the outage: a read that takes longer than the interval between checks
            readTakes.set(Duration.ofHours(2).toNanos());
            watch.check(clock::get);
            readTakes.set(10);
            for (int i = 0; i < 9; i++) {
                watch.check(clock::get);
            }
            assertThat(lost).as("missing for 90 since the read that waited answered").isEmpty();

            watch.check(clock::get);
            assertThat(lost).containsExactlyInAnyOrder(W1, W2);
        }
    }

    /**
     * While Redis cannot be asked, no lease can be renewed: the grace stops meanwhile and goes on once Redis answers,
     * not over from the start, or a Redis failing now and then would put a dead worker's loss off for good.
     */
    @Test
    void aFailedReadPausesTheGrace() {
        Map<String, String> leases = new ConcurrentHashMap<>();
        AtomicBoolean redisDown = new AtomicBoolean();
        try (WorkerWatch watch = new WorkerWatch(() -> List.of(W1), workers -> {
            if (redisDown.get()) {
                throw new IllegalStateException("Redis is unreachable");
            }
            return Map.copyOf(leases);
        }, lost::add, Duration.ofHours(1), Duration.ofNanos(100))) {
            watch.check(() -> 0);
            redisDown.set(true);
            // from 60 to 120 Redis cannot be asked
            watch.check(() -> 60);
            redisDown.set(false);
            watch.check(() -> 120);
            watch.check(() -> 159);
            assertThat(lost).as("missing for 99 while Redis could be asked").isEmpty();
            watch.check(() -> 160);
            assertThat(lost).containsExactly(W1);

            // failing again and again, each time within the grace, it is still lost in the end
            lost.clear();
            leases.put("w1", W1.runId());
            watch.check(() -> 1_000);
            leases.clear();
            for (long at = 1_000; lost.isEmpty() && at < 2_000; at += 40) {
                long now = at;
                redisDown.set(true);
                watch.check(() -> now + 20);
                redisDown.set(false);
                watch.check(() -> now + 40);
            }
            assertThat(lost).containsExactly(W1);
        }
    }
}
