package io.github.siodistributor.core.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.WorkerAddress;
import io.github.siodistributor.core.protocol.WorkerRun;
import io.github.siodistributor.core.transport.TestConnectionFactories;
import io.github.siodistributor.core.transport.WorkerDirectory;
import io.github.siodistributor.core.transport.WorkerLeases;
import io.github.siodistributor.testsupport.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** The gateway's view of the live workers, read from Redis: what a request waits for when it asks for a read. */
class LiveWorkersTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final TestRedis redis = TestRedis.startNew();
    // far longer than the test waits: a request that waits for a command to time out fails the test
    private final LettuceConnectionFactory factory = TestConnectionFactories.startedFor(redis, Duration.ofMinutes(2));
    private final ScheduledExecutorService reader = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void cleanUp() {
        reader.shutdownNow();
        factory.destroy();
        redis.stop();
    }

    @Test
    void leastConnectionSpreadsABurstOfNewSessionsPickedBeforeAnyIsSent() {
        ChannelNames names = new ChannelNames("burst");
        WorkerLeases leases = new WorkerLeases(factory, names);
        List<WorkerLeases.Lease> held = new ArrayList<>();
        try {
            for (String id : List.of("w1", "w2")) {
                WorkerLeases.Lease lease = leases.acquire(new WorkerRun(id, "thisRun1"), Duration.ofSeconds(30), loss -> { });
                lease.report(new WorkerAddress("127.0.0.1", id.equals("w1") ? 9001 : 9002), () -> 0);
                held.add(lease);
            }
            LiveWorkers workers = new LiveWorkers(new WorkerDirectory(factory, names), Balancing.LEAST_CONNECTION,
                    reader);
            await().atMost(TIMEOUT).until(() -> {
                workers.refresh();
                return workers.known().size() == 2;
            });

            // ten sessions at once: none has reached its worker yet, so no report counts them
            Map<String, Integer> picked = new HashMap<>();
            for (int i = 0; i < 10; i++) {
                picked.merge(workers.pick().id, 1, Integer::sum);
            }

            assertThat(picked).containsEntry("w1", 5).containsEntry("w2", 5);
        } finally {
            held.forEach(WorkerLeases.Lease::close);
        }
    }

    /**
     * Redis stops answering while connected (it hangs, or its host is gone): the periodic read waits on it for the
     * client's command timeout, and a read asked for by a request waits behind it. The request does not: it goes
     * on (and is refused) within a second, not a minute.
     */
    @Test
    void aReadAskedForWhileRedisAnswersNothingEndsTheRequestsWaitWithinASecond() {
        LiveWorkers workers = new LiveWorkers(new WorkerDirectory(factory, new ChannelNames("live")),
                Balancing.ROUND_ROBIN, reader);
        workers.refresh();
        redis.freeze();
        try {
            reader.execute(() -> {
                try {
                    workers.refresh();
                } catch (RuntimeException e) {
                    // what the periodic read does with a failure: the last view stays
                }
            });

            CompletableFuture<Void> asked = workers.refreshSoon();

            await().atMost(TIMEOUT).until(asked::isDone);
            assertThat(workers.refreshSoon()).as("asked again meanwhile: no wait either").isDone();
        } finally {
            redis.thaw();
        }
    }
    /**
     * A read that waited through a Redis outage longer than the workers' TTL finds them missing (their leases ran out
     * meanwhile, and they have not renewed yet). Their clients keep their sessions: a worker is forgotten only once it
     * has been missing for its TTL from when the reads answered, not from when the waiting read started.
     */
    @Test
    void aWorkerMissingFromTheReadThatWaitedThroughAnOutageIsForgottenOnlyATtlAfterThatRead() throws Exception {
        ChannelNames names = new ChannelNames("outage");
        Duration ttl = Duration.ofSeconds(3);
        WorkerLeases.Lease lease = new WorkerLeases(factory, names).acquire(new WorkerRun("w1", "thisRun1"), ttl,
                loss -> { });
        lease.report(new WorkerAddress("127.0.0.1", 9001), () -> 0);
        LiveWorkers workers = new LiveWorkers(new WorkerDirectory(factory, names), Balancing.ROUND_ROBIN, reader);
        await().atMost(TIMEOUT).until(() -> {
            workers.refresh();
            return workers.known().size() == 1;
        });
        // its report stays in the directory until its TTL runs out: the worker does not renew during the outage
        lease.abandon();
        WorkerTarget w1 = workers.owner("w1");
        assertThat(w1).isNotNull();

        redis.freeze();
        CompletableFuture<Void> waitingRead;
        try {
            waitingRead = CompletableFuture.runAsync(workers::refresh, reader);
            // the outage lasts longer than the worker's TTL, so its report has expired when Redis answers again
            await().atMost(TIMEOUT).until(() -> workers.nanosSinceLastRead() > ttl.toNanos() + 500_000_000L);
        } finally {
            redis.thaw();
        }
        waitingRead.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertThat(workers.known()).as("the read that waited lists no live worker").isEmpty();
        workers.refresh();
        assertThat(w1.forgotten()).as("forgotten by the next read, right after the outage").isFalse();
        assertThat(workers.owner("w1")).as("its sessions still routed to it").isSameAs(w1);

        // never reporting again, it is forgotten once missing for its TTL
        await().atMost(TIMEOUT).until(() -> {
            workers.refresh();
            return w1.forgotten();
        });
        assertThat(workers.owner("w1")).isNull();
    }
}
