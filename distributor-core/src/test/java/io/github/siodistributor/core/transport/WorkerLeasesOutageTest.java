package io.github.siodistributor.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.WorkerRun;
import io.github.siodistributor.testsupport.TestRedis;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * A worker's lease over a Redis restart that loses every key: it reads not held meanwhile, and is taken again. And
 * the lease a worker abandons when it stops while Redis is unreachable.
 */
class WorkerLeasesOutageTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final WorkerRun RUN = new WorkerRun("w1", "thisRun1");

    private final TestRedis redis = TestRedis.startNew();
    private LettuceConnectionFactory factory;

    @BeforeEach
    void connect() {
        factory = TestConnectionFactories.startedFor(redis);
    }

    @AfterEach
    void cleanUp() {
        factory.destroy();
        redis.stop();
    }

    @Test
    void aLeaseThatCannotBeRenewedReadsNotHeldWithoutClosingAnythingAndIsTakenAgainAfterARestart() {
        ChannelNames names = new ChannelNames("outage");
        WorkerLeases leases = new WorkerLeases(factory, names);
        AtomicInteger lost = new AtomicInteger();
        WorkerLeases.Lease lease = leases.acquire(RUN, Duration.ofMillis(900), loss -> lost.incrementAndGet());
        assertThat(leases.held("w1")).containsSame(lease);
        assertThat(lease.state().held()).isTrue();

        redis.stop();
        await().atMost(TIMEOUT).until(() -> !lease.state().held());
        assertThat(lease.state().detail()).contains("not confirmed in Redis").contains("TTL of 900 ms");

        redis.start();
        // the restarted Redis has no keys: the renewal finds the lease gone and takes it again
        StringRedisTemplate template = new StringRedisTemplate(factory);
        await().atMost(TIMEOUT).until(() -> lease.state().held()
                && template.opsForValue().get(names.workerLease("w1")) != null);
        assertThat(leases.leaseHolders(List.of("w1"))).containsExactly(entry("w1", RUN.runId()));
        assertThat(lost).as("nobody else took the id: the worker's clients are never closed").hasValue(0);

        lease.close();
        assertThat(leases.held("w1")).isEmpty();
    }

    /** What a worker stopping while Redis is unreachable does with its lease: no release, no more renewals. */
    @Test
    void anAbandonedLeaseIsLeftInRedisUnrenewedUntilItExpires() {
        ChannelNames names = new ChannelNames("outage");
        WorkerLeases leases = new WorkerLeases(factory, names);
        WorkerLeases.Lease lease = leases.acquire(RUN, Duration.ofSeconds(2), loss -> { });
        StringRedisTemplate template = new StringRedisTemplate(factory);

        lease.abandon();
        assertThat(leases.held("w1")).isEmpty();
        assertThat(template.hasKey(names.workerLease("w1"))).as("not released").isTrue();
        assertThat(leases.leaseHolders(List.of("w1"))).containsExactly(entry("w1", RUN.runId()));
        // renewed every third of the TTL until now: gone within one TTL only if nothing renews it any more
        await().atMost(TIMEOUT).until(() -> !template.hasKey(names.workerLease("w1")));
        assertThat(leases.leaseHolders(List.of("w1"))).isEmpty();
    }
}
