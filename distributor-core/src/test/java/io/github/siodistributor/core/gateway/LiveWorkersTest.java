package io.github.siodistributor.core.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.transport.TestConnectionFactories;
import io.github.siodistributor.core.transport.WorkerDirectory;
import io.github.siodistributor.testsupport.TestRedis;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
}
