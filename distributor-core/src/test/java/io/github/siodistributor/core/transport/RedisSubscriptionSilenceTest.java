package io.github.siodistributor.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.Message;
import io.github.siodistributor.core.protocol.Message.Custom;
import io.github.siodistributor.core.transport.SubscriptionCheck.Outcome;
import io.github.siodistributor.testsupport.TcpBalancer;
import io.github.siodistributor.testsupport.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A subscription connection that stays open and delivers nothing: the bus reaches a real Redis through a proxy that
 * goes on answering for the connection (TCP keepalive included) once its way to Redis is cut, as a sidecar does.
 * Lettuce sees no end, Redis goes on counting the subscriber; only the bus's watch can end it.
 */
class RedisSubscriptionSilenceTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final TestRedis redis = TestRedis.startNew();
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        redis.stop();
    }

    private static Custom message(int sequence) {
        return new Custom("t", "test", new byte[] { (byte) sequence });
    }

    @Test
    void aSubscriptionSilencedBehindAProxyIsReplacedAndDeliversAgain() throws Exception {
        TcpBalancer proxy = TcpBalancer.start(redis.port());
        resources.add(proxy);
        LettuceConnectionFactory factory = TestConnectionFactories.startedFor(proxy.port());
        resources.add(factory::destroy);
        RedisMessageBus bus = new RedisMessageBus(factory, new DroppedMessages(), new ChannelNames("silence"),
                OutageSettings.defaults());
        resources.add(bus);
        List<Integer> received = new CopyOnWriteArrayList<>();
        bus.subscribe("news", message -> received.add((int) ((Custom) message).body()[0]));
        bus.watchSubscription(Duration.ofMillis(200), Duration.ofMillis(500));
        bus.start();
        bus.publish("news", message(0)).join();
        await().atMost(TIMEOUT).until(() -> received.contains(0));
        List<Integer> subscribers = redis.subscriberPorts();
        assertThat(subscribers).hasSize(1);

        assertThat(proxy.silence(subscribers.get(0))).isTrue();

        assertThat(bus.publish("news", message(1)).join()).as("Redis still counts the silenced subscriber")
                .isEqualTo(1);
        AtomicInteger next = new AtomicInteger(2);
        // published until one arrives: what is published before the connection is replaced is lost
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> {
            bus.publish("news", message(next.getAndIncrement()));
            return received.stream().anyMatch(sequence -> sequence > 1);
        });
        // Redis keeps the old one: the proxy holds it open on its side, as the cut left it
        assertThat(redis.subscriberPorts()).as("a new subscription connection")
                .anyMatch(port -> !port.equals(subscribers.get(0)));
        assertThat(bus.checkSubscription(Duration.ofSeconds(5)).get().outcome()).isEqualTo(Outcome.DELIVERED);
        assertThat(bus.isConnected()).as("the publishing connection was left alone").isTrue();
        assertThat(bus.subscriptionsReplaced()).isEqualTo(1);
    }

    @Test
    void aSubscriptionWhoseDeliveryThreadIsHeldByAHandlerIsNotReplaced() throws Exception {
        LettuceConnectionFactory factory = TestConnectionFactories.startedFor(redis);
        resources.add(factory::destroy);
        RedisMessageBus bus = new RedisMessageBus(factory, new DroppedMessages(), new ChannelNames("held"),
                OutageSettings.defaults());
        resources.add(bus);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        resources.add(release::countDown);
        List<Integer> received = new CopyOnWriteArrayList<>();
        bus.subscribe("news", message -> {
            int sequence = ((Custom) message).body()[0];
            if (sequence == 0) {
                // a handler that blocks the delivery thread (a non-blocking namespace's that does not keep its word)
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            received.add(sequence);
        });
        bus.watchSubscription(Duration.ofMillis(200), Duration.ofMillis(500));
        bus.start();
        bus.publish("news", message(0)).join();
        assertThat(entered.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i <= 20; i++) {
            assertThat(bus.publish("news", message(i)).join()).isEqualTo(1);
        }

        // long enough for several silent probes: a watch that took them for silence would have replaced it
        await().during(Duration.ofSeconds(3)).atMost(TIMEOUT).until(() -> bus.subscriptionsReplaced() == 0);
        release.countDown();

        await().atMost(TIMEOUT).until(() -> received.size() == 21);
        assertThat(received).containsExactlyElementsOf(IntStream.rangeClosed(0, 20).boxed().toList());
        assertThat(bus.subscriptionsReplaced()).isZero();
    }
}
