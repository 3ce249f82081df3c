package io.github.siodistributor.backend.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** The watch of workers keeps watching, whatever the handling of one lost worker does. */
class WorkerWatchTest {

    @Test
    void aLossWhoseHandlingFailsStopsNeitherTheOtherLossesNorTheWatch() {
        List<String> lost = new CopyOnWriteArrayList<>();
        // an hour between scheduled checks: the test runs them itself
        try (WorkerWatch watch = new WorkerWatch(() -> List.of("w1", "w2"), TreeSet::new, worker -> {
            lost.add(worker);
            if (worker.equals("w1")) {
                throw new RejectedExecutionException("the application's handler executor is full");
            }
        }, Duration.ofHours(1), Duration.ZERO)) {
            assertThatCode(watch::check).doesNotThrowAnyException();
            assertThat(lost).containsExactly("w1", "w2");

            watch.check();
            assertThat(lost).containsExactly("w1", "w2", "w1", "w2");
        }
    }
}
