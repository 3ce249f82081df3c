package io.github.siodistributor.core.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.siodistributor.core.transport.SubscriptionCheck.Outcome;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** When the watch probes, and when it replaces the connection: its checks run one by one here, on fakes. */
class SilentSubscriptionWatchTest {

    private final AtomicLong received = new AtomicLong();
    private final Queue<Outcome> outcomes = new ArrayDeque<>();
    private final AtomicInteger probes = new AtomicInteger();
    private final AtomicInteger replaced = new AtomicInteger();
    private final AtomicBoolean delivering = new AtomicBoolean();
    private final SilentSubscriptionWatch watch = new SilentSubscriptionWatch(received::get, delivering::get, () -> {
        probes.incrementAndGet();
        Outcome outcome = outcomes.remove();
        if (outcome == Outcome.DELIVERED) {
            received.incrementAndGet(); // the probe message itself
        }
        return CompletableFuture.completedFuture(SubscriptionCheck.of(outcome, outcome.name()));
    }, () -> replaced.incrementAndGet() > 0, Duration.ofSeconds(1));

    @Test
    void aSubscriptionThatReceivesIsNeverProbed() throws Exception {
        for (int i = 0; i < 10; i++) {
            received.incrementAndGet();
            watch.check();
        }
        assertThat(probes).hasValue(0);
        assertThat(replaced).hasValue(0);
    }

    @Test
    void twoSilentProbesInARowWithNothingReceivedReplaceTheConnection() throws Exception {
        outcomes.add(Outcome.SILENT);
        outcomes.add(Outcome.NOT_SUBSCRIBED);
        watch.check(); // the first check only takes note of what was received
        watch.check();
        assertThat(replaced).as("one silent probe could be a pause").hasValue(0);
        watch.check();
        assertThat(probes).hasValue(2);
        assertThat(replaced).hasValue(1);
    }

    @Test
    void aSubscriptionThatIsOnlyBehindIsLeftAlone() throws Exception {
        watch.check();
        for (int i = 0; i < 5; i++) {
            outcomes.add(Outcome.SILENT);
            watch.check();
            received.incrementAndGet(); // a backlog still arriving: the probe is behind it
            watch.check();
        }
        assertThat(probes).hasValue(5);
        assertThat(replaced).hasValue(0);
    }

    @Test
    void aDeliveredProbeOrAnUnreachableRedisStartsTheCountOver() throws Exception {
        watch.check();
        outcomes.add(Outcome.SILENT);
        outcomes.add(Outcome.DELIVERED);
        outcomes.add(Outcome.SILENT);
        outcomes.add(Outcome.UNREACHABLE);
        outcomes.add(Outcome.SILENT);
        for (int i = 0; i < 6; i++) {
            watch.check();
        }
        assertThat(probes).as("every check but the one after the delivered probe").hasValue(5);
        assertThat(replaced).hasValue(0);
    }

    @Test
    void aDeliveryThreadHeldByOneMessageIsNotASilentSubscription() throws Exception {
        watch.check();
        delivering.set(true); // a handler on the delivery thread that does not return; messages wait behind it
        for (int i = 0; i < 5; i++) {
            outcomes.add(Outcome.SILENT);
            watch.check();
        }
        assertThat(replaced).hasValue(0);

        delivering.set(false);
        outcomes.add(Outcome.SILENT);
        outcomes.add(Outcome.SILENT);
        watch.check();
        watch.check();
        assertThat(replaced).as("silent again once the thread is free").hasValue(1);
    }
}
