package io.github.siodistributor.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.Message.Custom;
import io.github.siodistributor.core.protocol.Message.SocketDisconnected;
import io.github.siodistributor.core.transport.DroppedMessages.Cause;
import io.github.siodistributor.testsupport.FreePorts;
import io.github.siodistributor.testsupport.TestRedis;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** {@link CustomMessages} over a real Redis, with {@link RedisMessageBus}. */
class CustomMessagesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static TestRedis redis;

    /** Each test gets a prefix of its own, so that nothing crosses tests on the shared server. */
    private final ChannelNames channels = new ChannelNames("test-custom-" + System.nanoTime());
    private final List<LettuceConnectionFactory> factories = new ArrayList<>();
    private final List<RedisMessageBus> buses = new ArrayList<>();

    @BeforeAll
    static void startRedis() {
        redis = TestRedis.startNew();
        assertThat(redis.port()).isNotEqualTo(FreePorts.CONVENIENCE_REDIS_PORT);
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.stop();
        }
    }

    @AfterEach
    void closeBuses() {
        buses.forEach(RedisMessageBus::close);
        factories.forEach(LettuceConnectionFactory::destroy);
    }

    /** A bus of its own, as a separate process would have; not started. */
    private RedisMessageBus newBus() {
        LettuceConnectionFactory factory = TestConnectionFactories.startedFor(redis);
        factories.add(factory);
        RedisMessageBus bus = new RedisMessageBus(factory, new DroppedMessages());
        buses.add(bus);
        return bus;
    }

    /** Records what it receives. */
    static class Recorder implements CustomMessageListener {
        private final String topic;
        final List<Custom> received = new CopyOnWriteArrayList<>();

        Recorder(String topic) {
            this.topic = topic;
        }

        @Override
        public String topic() {
            return topic;
        }

        @Override
        public void onMessage(Custom message) {
            received.add(message);
        }

        List<String> texts() {
            return received.stream().map(message -> new String(message.body(), StandardCharsets.UTF_8)).toList();
        }
    }

    @Test
    void everyListenerOfATopicGetsEachMessageThroughOneSubscription() {
        RedisMessageBus bus = newBus();
        CustomMessages messages = new CustomMessages(bus, channels, "node-1");
        Recorder first = new Recorder("reload");
        Recorder second = new Recorder("reload");
        Recorder other = new Recorder("stats");
        messages.subscribe(first);
        messages.subscribe(second);
        messages.subscribe(other);
        bus.start();

        // Redis counts one receiver for the topic: both listeners share this process's subscription
        assertThat(messages.publish("reload", "config-1").join()).isEqualTo(1);
        assertThat(messages.publish("reload", "config-2").join()).isEqualTo(1);
        // published after the others on the same connection: once it arrived, they were all handled
        assertThat(messages.publish("stats", "marker").join()).isEqualTo(1);

        await().atMost(TIMEOUT).until(() -> other.received.size() == 1);
        assertThat(first.texts()).containsExactly("config-1", "config-2");
        assertThat(second.texts()).containsExactly("config-1", "config-2");
        assertThat(other.texts()).containsExactly("marker");
        assertThat(bus.dropped().total()).isZero();
    }

    @Test
    void aMessageCarriesItsTopicSenderAndBodyToEveryProcessTheSendersOwnIncluded() {
        RedisMessageBus workerBus = newBus();
        RedisMessageBus backendBus = newBus();
        CustomMessages worker = new CustomMessages(workerBus, channels, "worker-7");
        CustomMessages backend = new CustomMessages(backendBus, channels, "backend-3");
        Recorder atWorker = new Recorder("load");
        Recorder atBackend = new Recorder("load");
        worker.subscribe(atWorker);
        backend.subscribe(atBackend);
        workerBus.start();
        backendBus.start();
        byte[] body = {0, 1, (byte) 0xff, (byte) 0xfe, '\n', 0x1e, 'x'};

        assertThat(worker.senderId()).isEqualTo("worker-7");
        assertThat(worker.publish("load", body.clone()).join()).as("processes listening").isEqualTo(2);

        await().atMost(TIMEOUT).until(() -> !atWorker.received.isEmpty() && !atBackend.received.isEmpty());
        assertThat(atBackend.received).singleElement().satisfies(message -> {
            assertThat(message.topic()).isEqualTo("load");
            assertThat(message.senderId()).isEqualTo("worker-7");
            assertThat(message.body()).containsExactly(body);
            assertThat(message.namespace()).isEmpty();
        });
        assertThat(atWorker.received).containsExactlyElementsOf(atBackend.received);

        backend.publish("load", "ü€ text");
        await().atMost(TIMEOUT).until(() -> atWorker.received.size() == 2);
        assertThat(atWorker.received.get(1).senderId()).isEqualTo("backend-3");
        assertThat(atWorker.texts().get(1)).isEqualTo("ü€ text");
    }

    @Test
    void closingOneListenersSubscriptionStopsOnlyThatListener() {
        RedisMessageBus bus = newBus();
        CustomMessages messages = new CustomMessages(bus, channels, "node-1");
        Recorder leaving = new Recorder("reload");
        Recorder staying = new Recorder("reload");
        MessageBus.Subscription subscription = messages.subscribe(leaving);
        messages.subscribe(staying);
        bus.start();
        messages.publish("reload", "before");
        await().atMost(TIMEOUT).until(() -> leaving.received.size() == 1 && staying.received.size() == 1);

        subscription.close();
        subscription.close(); // closing twice is harmless
        messages.publish("reload", "after");
        // a later message: once it reached a listener, "after" was handled by every listener
        messages.publish("reload", "marker");

        await().atMost(TIMEOUT).until(() -> staying.received.size() == 3);
        assertThat(staying.texts()).containsExactly("before", "after", "marker");
        assertThat(leaving.texts()).containsExactly("before");
    }

    @Test
    void aListenerAddedAfterTheOthersLeftReceivesAgain() {
        RedisMessageBus bus = newBus();
        CustomMessages messages = new CustomMessages(bus, channels, "node-1");
        Recorder first = new Recorder("reload");
        MessageBus.Subscription subscription = messages.subscribe(first);
        bus.start();
        subscription.close();

        Recorder next = new Recorder("reload");
        messages.subscribe(next);
        await().atMost(TIMEOUT).until(() -> messages.publish("reload", "hello").join() == 1);

        await().atMost(TIMEOUT).until(() -> !next.received.isEmpty());
        assertThat(next.texts()).first().isEqualTo("hello");
        assertThat(first.received).isEmpty();
    }

    @Test
    void aListenerSubscribedWhileTheBusRunsReceives() {
        RedisMessageBus bus = newBus();
        CustomMessages messages = new CustomMessages(bus, channels, "node-1");
        bus.start();
        Recorder late = new Recorder("late");

        messages.subscribe(late);
        // the subscription is confirmed by Redis asynchronously: publish until it counts us
        await().atMost(TIMEOUT).until(() -> messages.publish("late", "hi").join() == 1);

        await().atMost(TIMEOUT).until(() -> !late.received.isEmpty());
        assertThat(late.texts()).allMatch("hi"::equals);
    }

    @Test
    void aFailingListenerDoesNotKeepTheMessageFromTheOtherListeners() {
        RedisMessageBus bus = newBus();
        CustomMessages messages = new CustomMessages(bus, channels, "node-1");
        CustomMessageListener failing = new CustomMessageListener() {
            @Override
            public String topic() {
                return "reload";
            }

            @Override
            public void onMessage(Custom message) {
                throw new IllegalStateException("listener bug");
            }
        };
        Recorder healthy = new Recorder("reload");
        messages.subscribe(failing);
        messages.subscribe(healthy);
        bus.start();

        messages.publish("reload", "one");
        messages.publish("reload", "two");
        Recorder marker = new Recorder("marker");
        messages.subscribe(marker);
        await().atMost(TIMEOUT).until(() -> messages.publish("marker", "done").join() == 1);
        await().atMost(TIMEOUT).until(() -> !marker.received.isEmpty());

        // "delivered to every listener of the topic": a sibling's bug must not silence this one
        assertThat(healthy.texts()).containsExactly("one", "two");
    }

    /**
     * A listener's onMessage runs on the Redis delivery thread, the one thread that reads Redis's answers: a listener
     * that subscribes another listener there, or closes its own subscription (a one-shot listener), must not wait for
     * an answer only that thread could read. The new listener receives, and the bus goes on unsubscribing at once
     * (a close that waited in vain made it set every unsubscribe aside for the next 30 s).
     */
    @Test
    void aListenerMaySubscribeAndCloseSubscriptionsFromItsOnMessage() {
        RedisMessageBus bus = newBus();
        CustomMessages messages = new CustomMessages(bus, channels, "node-1");
        Recorder added = new Recorder("added");
        AtomicReference<MessageBus.Subscription> oneShot = new AtomicReference<>();
        Recorder once = new Recorder("once") {
            @Override
            public void onMessage(Custom message) {
                super.onMessage(message);
                oneShot.get().close();
                messages.subscribe(added);
            }
        };
        oneShot.set(messages.subscribe(once));
        MessageBus.Subscription other = messages.subscribe(new Recorder("other"));
        bus.start();

        assertThat(messages.publish("once", "first").join()).isEqualTo(1);
        await().atMost(TIMEOUT).until(() -> messages.publish("added", "hello").join() == 1);
        await().atMost(TIMEOUT).until(() -> !added.received.isEmpty());
        await().atMost(TIMEOUT).until(() -> messages.publish("once", "again").join() == 0);
        assertThat(once.texts()).containsExactly("first");

        other.close();
        assertThat(messages.publish("other", "after its close").join()).as("unsubscribed when close returned")
                .isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "two words", "tab\there", "new\nline", " lead", "trail "})
    void aTopicMustBeNonEmptyWithoutWhitespace(String topic) {
        RedisMessageBus bus = newBus();
        CustomMessages messages = new CustomMessages(bus, channels, "node-1");
        bus.start();

        assertThatIllegalArgumentException().isThrownBy(() -> messages.publish(topic, "x"))
                .withMessageContaining("non-empty and contain no whitespace").withMessageContaining("'" + topic + "'");
        assertThatIllegalArgumentException().isThrownBy(() -> messages.publish(topic, new byte[] {1}));
        assertThatIllegalArgumentException().isThrownBy(() -> messages.subscribe(new Recorder(topic)))
                .withMessageContaining("non-empty and contain no whitespace");
    }

    @Test
    void aNullTopicIsRejected() {
        CustomMessages messages = new CustomMessages(newBus(), channels, "node-1");

        assertThatIllegalArgumentException().isThrownBy(() -> messages.publish(null, "x"));
        assertThatIllegalArgumentException().isThrownBy(() -> messages.subscribe(new Recorder(null)));
    }

    @Test
    void aForeignMessageOnTheCustomChannelIsDroppedAsMisrouted() {
        RedisMessageBus bus = newBus();
        CustomMessages messages = new CustomMessages(bus, channels, "node-1");
        Recorder listener = new Recorder("reload");
        messages.subscribe(listener);
        bus.start();
        String channel = channels.custom("reload");

        // another message type, and a custom message of another topic, on the topic's channel
        bus.publish(channel, new SocketDisconnected("/chat", "w-1.00000000-0000-0000-0000-000000000001", "x"));
        bus.publish(channel, new Custom("stats", "intruder", new byte[] {1}));
        messages.publish("reload", "legit");

        await().atMost(TIMEOUT).until(() -> !listener.received.isEmpty());
        assertThat(listener.texts()).containsExactly("legit");
        assertThat(bus.dropped().count(Cause.MISROUTED)).isEqualTo(2);
        assertThat(bus.dropped().total()).isEqualTo(2);
    }
}
