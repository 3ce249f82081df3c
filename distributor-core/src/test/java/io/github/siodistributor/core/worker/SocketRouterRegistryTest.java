package io.github.siodistributor.core.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.Message;
import io.github.siodistributor.core.transport.BackendRegistry;
import io.github.siodistributor.core.transport.DroppedMessages;
import io.github.siodistributor.core.transport.MessageBus;
import io.github.siodistributor.core.transport.TestConnectionFactories;
import io.github.siodistributor.testsupport.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The worker's backend watch reading a real registry: an instance whose entry expired while Redis could not be
 * reached could not renew it either, and is given the loss grace to do so rather than taken for dead by the
 * first read after the outage (which would move every one of its sockets). Without an outage, an expired entry
 * is death at once.
 */
class SocketRouterRegistryTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    @AutoClose
    private static final TestRedis redis = TestRedis.startNew();

    private final ChannelNames names = new ChannelNames("router-test");
    private final StubBus bus = new StubBus();
    private LettuceConnectionFactory factory;
    private BackendRegistry registry;
    private SocketRouter router;

    /** A bus that publishes nowhere and tells the connection state the test sets. */
    private static final class StubBus implements MessageBus {
        volatile boolean connected = true;
        private final DroppedMessages dropped = new DroppedMessages();

        @Override
        public CompletableFuture<Long> publish(String channel, Message message) {
            return CompletableFuture.completedFuture(0L);
        }

        @Override
        public Subscription subscribe(String channel, Consumer<Message> handler) {
            return () -> { };
        }

        @Override
        public DroppedMessages dropped() {
            return dropped;
        }

        @Override
        public boolean isConnected() {
            return connected;
        }
    }

    @BeforeEach
    void startRouter() {
        factory = TestConnectionFactories.startedFor(redis);
        registry = new BackendRegistry(factory, names);
        registry.remove("b1", List.of("/chat"));
        router = new SocketRouter("w1", bus, names, registry, BackendRouting.defaults(), List.of("/chat"),
                new WorkerStats(), List::of, socket -> { });
        registry.heartbeat("b1", List.of("/chat"), Duration.ofMinutes(1));
        router.check();
        assertThat(router.liveInstances().get("/chat")).containsExactly("b1");
    }

    @AfterEach
    void stopRouter() {
        router.close();
        factory.destroy();
    }

    @Test
    void anEntryReadWhileTheBusWasCutOffIsGivenTheGraceToRenew() {
        expireTheEntry();
        bus.connected = false;

        router.check();

        assertThat(router.liveInstances().get("/chat")).containsExactly("b1");
        bus.connected = true;
        registry.heartbeat("b1", List.of("/chat"), Duration.ofMinutes(1));
        router.check();
        assertThat(router.liveInstances().get("/chat")).containsExactly("b1");
    }

    @Test
    void anEntryReadByARegistryReadThatWaitedForRedisIsGivenTheGraceToRenew() {
        expireTheEntry();
        // Redis holds every command for longer than the check interval: the read waits, as while Lettuce
        // reconnects, and comes back as the outage ends
        RedisClient admin = RedisClient.create(RedisURI.create(redis.host(), redis.port()));
        try (var connection = admin.connect()) {
            connection.sync().clientPause(BackendRouting.defaults().checkInterval().toMillis() + 500);
        } finally {
            admin.shutdown();
        }

        router.check();

        assertThat(router.liveInstances().get("/chat")).containsExactly("b1");
    }

    @Test
    void withoutAnOutageAnExpiredEntryIsDeadAtOnce() {
        expireTheEntry();

        router.check();

        assertThat(router.liveInstances().get("/chat")).isEmpty();
    }

    /** As a heartbeat that stopped longer than its TTL ago. */
    private void expireTheEntry() {
        registry.heartbeat("b1", List.of("/chat"), Duration.ofMillis(1));
        await().atMost(WAIT).until(() -> Boolean.FALSE.equals(registry.instances(List.of("/chat")).get("/chat")
                .get("b1")));
    }
}
