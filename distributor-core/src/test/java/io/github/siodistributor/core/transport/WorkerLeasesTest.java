package io.github.siodistributor.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.WorkerRun;
import io.github.siodistributor.core.transport.WorkerLeases.LeaseLoss;
import io.github.siodistributor.testsupport.TestRedis;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * How a worker learns at a renewal of its lease that it no longer serves its clients: a backend gave its sockets
 * up (the loss record a backend leaves), or another worker took its id.
 */
class WorkerLeasesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Renewed every 300 ms; long enough that a stalled CI machine does not let it lapse. */
    private static final Duration TTL = Duration.ofMillis(900);

    private final TestRedis redis = TestRedis.startNew();
    private final ChannelNames names = new ChannelNames("leases");
    private final List<LeaseLoss> losses = new CopyOnWriteArrayList<>();
    private final WorkerRun run = new WorkerRun("w1", "thisRun1");
    private LettuceConnectionFactory factory;
    private WorkerLeases leases;
    private StringRedisTemplate template;

    @BeforeEach
    void connect() {
        factory = TestConnectionFactories.startedFor(redis);
        leases = new WorkerLeases(factory, names);
        template = new StringRedisTemplate(factory);
    }

    @AfterEach
    void cleanUp() {
        factory.destroy();
        redis.stop();
    }

    @Test
    void eachLossABackendRecordsIsFoundByOneRenewalAndTheLeaseStaysHeld() {
        try (WorkerLeases.Lease lease = leases.acquire(run, TTL, losses::add)) {
            leases.recordLoss(run);
            await().atMost(TIMEOUT).until(() -> losses.size() == 1);
            assertThat(template.hasKey(names.workerLoss(run))).as("taken by the renewal").isFalse();

            // a second backend gives the worker up later: told again, once
            leases.recordLoss(run);
            await().atMost(TIMEOUT).until(() -> losses.size() == 2);
            assertThat(template.hasKey(names.workerLoss(run))).isFalse();
            assertThat(losses).containsExactly(LeaseLoss.SOCKETS_GIVEN_UP, LeaseLoss.SOCKETS_GIVEN_UP);
            assertThat(lease.state().held()).isTrue();
            assertThat(leases.leaseHolders(List.of("w1"))).containsExactly(entry("w1", run.runId()));
        }
    }

    @Test
    void aLossRecordedForAnotherRunOfTheIdIsNotThisRunsAndIsLeftToExpire() {
        WorkerRun earlier = new WorkerRun("w1", "earlier1");
        // one given up before this run took the id; one given up (as another run of it) while this run holds it
        leases.recordLoss(earlier);
        try (WorkerLeases.Lease lease = leases.acquire(run, TTL, losses::add)) {
            WorkerRun stillPaused = new WorkerRun("w1", "paused01");
            leases.recordLoss(stillPaused);

            // renewals go on (several in this while), and find nothing to tell this run
            await().during(TTL.multipliedBy(2)).atMost(TIMEOUT).until(losses::isEmpty);
            assertThat(lease.state().held()).isTrue();
            // each record waits for its own run, should that run come back, for a day
            for (WorkerRun given : List.of(earlier, stillPaused)) {
                assertThat(template.getExpire(names.workerLoss(given))).as("kept for a day").isBetween(
                        WorkerLeases.LOSS_RECORD_TTL.toSeconds() - 60, WorkerLeases.LOSS_RECORD_TTL.toSeconds());
            }
        }
    }

    @Test
    void aWorkerWhoseIdAnotherWorkerTookIsToldOnceAndStopsRenewing() {
        try (WorkerLeases.Lease lease = leases.acquire(run, TTL, losses::add)) {
            // what another worker with the id does once this one's lease expired (a pause, a cut from Redis)
            template.opsForValue().set(names.workerLease("w1"), "another worker's token", Duration.ofMinutes(1));

            await().atMost(TIMEOUT).until(() -> !losses.isEmpty());
            assertThat(lease.state().held()).isFalse();
            assertThat(lease.state().detail()).contains("taken over by another worker");
            // no renewal runs any more: told once, and the other worker's lease is left as it is
            await().during(TTL.multipliedBy(3)).atMost(TIMEOUT).until(() -> losses.size() == 1);
            assertThat(losses).containsExactly(LeaseLoss.TAKEN_OVER);
            assertThat(template.opsForValue().get(names.workerLease("w1"))).isEqualTo("another worker's token");
        }
    }
}
