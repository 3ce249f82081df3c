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
            watch.check(0);
            // the lease is back (a worker re-taking it after a Redis restart), within the grace: the wait starts over
            leases.put("w1", W1.runId());
            watch.check(50);
            leases.clear();
            watch.check(120);
            watch.check(219);
            assertThat(lost).as("missing for 99 since it went again").isEmpty();

            watch.check(220);
            assertThat(lost).containsExactly(W1);
        }
    }
}
