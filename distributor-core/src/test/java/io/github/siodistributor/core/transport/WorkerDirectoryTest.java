package io.github.siodistributor.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.WorkerAddress;
import io.github.siodistributor.core.protocol.WorkerRun;
import io.github.siodistributor.testsupport.TestRedis;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/** Workers report themselves with their lease renewals; a gateway reads them back in one call. */
class WorkerDirectoryTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final TestRedis redis = TestRedis.startNew();
    private final ChannelNames names = new ChannelNames("directory");
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
    void aWorkerIsListedOnceItReportsWithItsCurrentConnectionsAndGoneWhenItReleasesItsLease() {
        WorkerLeases leases = new WorkerLeases(factory, names);
        WorkerDirectory directory = new WorkerDirectory(factory, names);
        // renewed (and reported) every second; a renewal late by two seconds still finds the entry listed
        WorkerLeases.Lease lease = leases.acquire(new WorkerRun("w1", "thisRun1"), Duration.ofSeconds(3), loss -> { });
        assertThat(directory.read().workers()).as("not listening yet: not listed").isEmpty();

        AtomicInteger connections = new AtomicInteger(3);
        lease.report(new WorkerAddress("10.0.0.7", 9092), connections::get);
        await().atMost(TIMEOUT).until(() -> directory.read().workers().size() == 1);
        WorkerDirectory.Entry entry = directory.read().workers().get(0);
        assertThat(entry.workerId()).isEqualTo("w1");
        assertThat(entry.address()).isEqualTo(new WorkerAddress("10.0.0.7", 9092));
        assertThat(entry.connections()).isEqualTo(3);

        connections.set(5);
        await("the next renewal's report").atMost(TIMEOUT)
                .until(() -> directory.read().workers().get(0).connections() == 5);

        lease.close();
        assertThat(directory.read().workers()).as("released with the lease").isEmpty();
    }

    @Test
    void anExpiredReportIsLeftOutAndDeletedAndAnUnreadableOneIgnored() {
        StringRedisTemplate template = new StringRedisTemplate(factory);
        WorkerDirectory directory = new WorkerDirectory(factory, names);
        long now = directory.read().now();
        template.opsForHash().put(names.workerDirectory(), "dead", (now - 9000) + " " + (now - 4000) + " 2 10.0.0.1:9092");
        template.opsForHash().put(names.workerDirectory(), "live", now + " " + (now + 60_000) + " 1 [::1]:9093");
        template.opsForHash().put(names.workerDirectory(), "odd", now + " " + (now + 60_000) + " x y");

        WorkerDirectory.Snapshot snapshot = directory.read();
        assertThat(snapshot.workers()).extracting(WorkerDirectory.Entry::workerId).containsExactly("live");
        assertThat(snapshot.workers().get(0).address()).isEqualTo(new WorkerAddress("::1", 9093));
        assertThat(template.opsForHash().keys(names.workerDirectory())).containsExactlyInAnyOrder("live", "odd");
    }
}
