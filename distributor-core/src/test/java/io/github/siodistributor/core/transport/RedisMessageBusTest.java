package io.github.siodistributor.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.Message;
import io.github.siodistributor.core.protocol.Message.JoinRooms;
import io.github.siodistributor.core.protocol.Message.SocketEvent;
import io.github.siodistributor.core.protocol.MessageCodec;
import io.github.siodistributor.core.protocol.Payload;
import io.github.siodistributor.core.transport.DroppedMessages.Cause;
import io.github.siodistributor.testsupport.FreePorts;
import io.github.siodistributor.testsupport.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

class RedisMessageBusTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static TestRedis redis;
    private static RedisClient rawClient;
    private static StatefulRedisConnection<byte[], byte[]> raw;

    private LettuceConnectionFactory factory;
    private RedisMessageBus bus;
    private int counter;

    @BeforeAll
    static void startRedis() {
        redis = TestRedis.startNew();
        assertThat(redis.port()).isNotEqualTo(FreePorts.CONVENIENCE_REDIS_PORT);
        rawClient = RedisClient.create(RedisURI.create(redis.host(), redis.port()));
        raw = rawClient.connect(ByteArrayCodec.INSTANCE);
    }

    @AfterAll
    static void stopRedis() {
        if (raw != null) {
            raw.close();
        }
        if (rawClient != null) {
            rawClient.shutdown();
        }
        if (redis != null) {
            redis.stop();
        }
    }

    @BeforeEach
    void createBus() {
        factory = TestConnectionFactories.startedFor(redis);
        bus = new RedisMessageBus(factory, new DroppedMessages());
    }

    @AfterEach
    void closeBus() {
        if (bus != null) {
            bus.close();
        }
        if (factory != null) {
            factory.destroy();
        }
    }

    /** A unique channel per test, so that nothing crosses tests on the shared server. */
    private String channel(String name) {
        return "test:" + getClass().getSimpleName() + ":" + System.nanoTime() + ":" + (counter++) + ":" + name;
    }

    private static SocketEvent event(String namespace, long sequence) {
        return new SocketEvent(namespace, "w.00000000-0000-0000-0000-000000000001", "e", sequence,
                Payload.ofJsonArray(("[" + sequence + ",\"" + namespace + "\"]").getBytes(StandardCharsets.UTF_8)));
    }

    private static void publishRaw(String channel, byte[] body) {
        raw.sync().publish(channel.getBytes(StandardCharsets.UTF_8), body);
    }

    @Test
    void deliversInPublishOrderAndOnlyOnTheChannelPublishedTo() {
        String a = channel("a");
        String b = channel("b");
        Queue<Message> onA = new ConcurrentLinkedQueue<>();
        Queue<Message> onB = new ConcurrentLinkedQueue<>();
        bus.subscribe(a, onA::add);
        bus.subscribe(b, onB::add);
        bus.start();
        assertThat(bus.isListening()).isTrue();

        List<Message> sentToA = new ArrayList<>();
        List<Message> sentToB = new ArrayList<>();
        Random random = new Random(3);
        for (int i = 0; i < 1000; i++) {
            boolean toA = random.nextInt(3) != 0;
            Message message = event(toA ? "/a" : "/b", i);
            (toA ? sentToA : sentToB).add(message);
            bus.publish(toA ? a : b, message);
        }

        await().atMost(TIMEOUT).until(() -> onA.size() + onB.size() >= 1000);
        assertThat(new ArrayList<>(onA)).containsExactlyElementsOf(sentToA);
        assertThat(new ArrayList<>(onB)).containsExactlyElementsOf(sentToB);
        assertThat(bus.dropped().total()).isZero();
    }

    @Test
    void aChannelHasOneHandlerPerBusSoThatReceiverCountsAreExact() {
        String a = channel("a");
        List<Message> received = new CopyOnWriteArrayList<>();
        bus.subscribe(a, received::add);

        assertThatThrownBy(() -> bus.subscribe(a, message -> { }))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(a).hasMessageContaining("already has a handler");
        bus.start();

        // PUBLISH answers how many subscribers got the message: one, the handler above
        assertThat(bus.publish(a, event("/a", 1)).join()).isEqualTo(1);
        assertThat(bus.publish(channel("nobody"), event("/a", 2)).join()).isZero();
        await().atMost(TIMEOUT).until(() -> received.size() == 1);
    }

    @Test
    void aClosedSubscriptionFreesItsChannelForANewHandler() {
        String a = channel("a");
        List<Message> first = new CopyOnWriteArrayList<>();
        List<Message> second = new CopyOnWriteArrayList<>();
        MessageBus.Subscription subscription = bus.subscribe(a, first::add);
        bus.start();
        bus.publish(a, event("/a", 1));
        await().atMost(TIMEOUT).until(() -> first.size() == 1);

        subscription.close();
        bus.subscribe(a, second::add);
        await().atMost(TIMEOUT).until(() -> bus.publish(a, event("/a", 2)).join() == 1);

        await().atMost(TIMEOUT).until(() -> !second.isEmpty());
        assertThat(first).containsExactly(event("/a", 1));
    }

    @Test
    void dropsGarbageAsMalformedAndKeepsDelivering() {
        String a = channel("a");
        List<Message> received = new CopyOnWriteArrayList<>();
        bus.subscribe(a, received::add);
        bus.start();

        byte[] valid = MessageCodec.encode(event("/a", 1));
        byte[] randomBytes = new byte[500];
        new Random(11).nextBytes(randomBytes);
        byte[] version2 = valid.clone();
        version2[2] = 2;
        List<byte[]> garbage = List.of(new byte[0], "hello".getBytes(StandardCharsets.UTF_8), randomBytes,
                Arrays.copyOf(valid, valid.length - 1), version2, "{\"json\":true}".getBytes(StandardCharsets.UTF_8));
        for (byte[] body : garbage) {
            publishRaw(a, body);
        }

        await().atMost(TIMEOUT).until(() -> bus.dropped().count(Cause.MALFORMED) == garbage.size());
        assertThat(received).isEmpty();

        Message afterwards = event("/a", 2);
        bus.publish(a, afterwards);

        await().atMost(TIMEOUT).until(() -> !received.isEmpty());
        assertThat(received).containsExactly(afterwards);
        assertThat(bus.dropped().total()).isEqualTo(garbage.size());
    }

    @Test
    void wellFormedMessagesFromAnotherPublisherAreDelivered() {
        String a = channel("a");
        List<Message> received = new CopyOnWriteArrayList<>();
        bus.subscribe(a, received::add);
        bus.start();

        publishRaw(a, MessageCodec.encode(event("/a", 5)));

        await().atMost(TIMEOUT).until(() -> !received.isEmpty());
        assertThat(received).containsExactly(event("/a", 5));
    }

    @Test
    void aFailingHandlerCountsAsHandlerFailedAndTheNextMessageIsStillDelivered() {
        String a = channel("a");
        List<Message> received = new CopyOnWriteArrayList<>();
        bus.subscribe(a, message -> {
            long ackId = ((SocketEvent) message).ackId();
            if (ackId == 1) {
                throw new IllegalStateException("handler boom");
            }
            if (ackId == 2) {
                // an Error too: a handler's own assertion, or a recursion too deep
                throw new AssertionError("handler assertion");
            }
            received.add(message);
        });
        bus.start();

        bus.publish(a, event("/a", 1));
        bus.publish(a, event("/a", 2));
        bus.publish(a, event("/a", 3));

        await().atMost(TIMEOUT).until(() -> !received.isEmpty());
        assertThat(received).containsExactly(event("/a", 3));
        assertThat(bus.dropped().count(Cause.HANDLER_FAILED)).isEqualTo(2);
        assertThat(bus.dropped().count(Cause.MALFORMED)).isZero();
    }

    @Test
    void aFailingHandlerDoesNotStopHandlersOfOtherChannels() {
        String a = channel("a");
        String b = channel("b");
        List<Message> received = new CopyOnWriteArrayList<>();
        bus.subscribe(a, message -> {
            throw new IllegalStateException("always fails");
        });
        bus.subscribe(b, received::add);
        bus.start();

        bus.publish(a, event("/a", 1));
        bus.publish(b, event("/b", 2));
        bus.publish(a, event("/a", 3));
        bus.publish(b, event("/b", 4));

        await().atMost(TIMEOUT).until(() -> received.size() == 2);
        await().atMost(TIMEOUT).until(() -> bus.dropped().count(Cause.HANDLER_FAILED) == 2);
    }

    @Test
    void aClosedSubscriptionReceivesNothingMore() {
        String closed = channel("closed");
        String open = channel("open");
        List<Message> onClosed = new CopyOnWriteArrayList<>();
        List<Message> onOpen = new CopyOnWriteArrayList<>();
        MessageBus.Subscription subscription = bus.subscribe(closed, onClosed::add);
        bus.subscribe(open, onOpen::add);
        bus.start();

        bus.publish(closed, event("/c", 1));
        await().atMost(TIMEOUT).until(() -> onClosed.size() == 1);

        subscription.close();
        bus.publish(closed, event("/c", 2));
        bus.publish(open, event("/o", 3));

        // the subscriber connection delivers in order: once the later message arrived, the earlier one was handled
        await().atMost(TIMEOUT).until(() -> onOpen.size() == 1);
        assertThat(onClosed).containsExactly(event("/c", 1));
    }

    @Test
    void publishingBeforeStartFails() {
        assertThatIllegalStateException().isThrownBy(() -> bus.publish(channel("a"), event("/a", 1)))
                .withMessageContaining("not started");
    }

    @Test
    void publishingAfterStopFailsItsFutureAndIsCountedInsteadOfThrowing() {
        bus.start();
        bus.stop();

        assertThat(bus.publish(channel("a"), event("/a", 1))).failsWithin(Duration.ZERO)
                .withThrowableOfType(ExecutionException.class).havingCause()
                .isInstanceOf(RedisUnavailableException.class).withMessage("the message bus is stopped: not published");
        assertThat(bus.dropped().count(Cause.REDIS_UNAVAILABLE)).isEqualTo(1);
    }

    /**
     * What a stopping process published last (a backend's release of its last socket) still reaches Redis: the stop
     * waits for the answers before the connection factory, which stops next, closes the connection.
     */
    @Test
    void whatWasPublishedBeforeAStopIsAnsweredBeforeTheConnectionFactoryStops() {
        String a = channel("a");
        LettuceConnectionFactory receiving = TestConnectionFactories.startedFor(redis);
        RedisMessageBus receiver = new RedisMessageBus(receiving, new DroppedMessages());
        Queue<Message> received = new ConcurrentLinkedQueue<>();
        receiver.subscribe(a, received::add);
        receiver.start();
        bus.start();
        List<CompletableFuture<Long>> published = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            published.add(bus.publish(a, event("/a", i)));
        }

        bus.stop();
        factory.destroy();
        factory = null;

        // answered before the destroy (their futures may complete a moment later, on Lettuce's thread)
        CompletableFuture.allOf(published.toArray(CompletableFuture[]::new)).join();
        assertThat(published).allSatisfy(publish -> assertThat(publish).isCompletedWithValue(1L));
        assertThat(bus.dropped().total()).isZero();
        await().atMost(TIMEOUT).until(() -> received.size() == 5000);
        receiver.close();
        receiving.destroy();
    }

    /** Replaces the bus with a started one whose largest message is 1000 bytes, subscribed to {@code channel}. */
    private List<Message> busOf1000BytesReceiving(String channel) {
        bus.close();
        bus = new RedisMessageBus(factory, new DroppedMessages(), new ChannelNames("sio"),
                OutageSettings.defaults(), 1000);
        List<Message> received = new CopyOnWriteArrayList<>();
        bus.subscribe(channel, received::add);
        bus.start();
        return received;
    }

    @Test
    void aMessageOverTheSizeLimitFailsNamingTheLimitAndIsNotPublished() {
        String a = channel("a");
        List<Message> received = busOf1000BytesReceiving(a);
        byte[] json = new byte[1200];
        Arrays.fill(json, (byte) '1');
        json[0] = '[';
        json[json.length - 1] = ']';
        SocketEvent tooLarge = new SocketEvent("/a", "w.00000000-0000-0000-0000-000000000001", "e", 0,
                Payload.ofJsonArray(json));

        assertThat(bus.publish(a, tooLarge)).failsWithin(Duration.ZERO)
                .withThrowableOfType(ExecutionException.class).havingCause()
                .isInstanceOf(MessageTooLargeException.class)
                .withMessageContaining("SocketEvent of " + MessageCodec.encode(tooLarge).length + " bytes")
                .withMessageContaining("limit of 1000 bytes (distributor.redis.max-message-size)");
        assertThat(bus.dropped().count(Cause.TOO_LARGE)).isEqualTo(1);

        // what fits still goes, and only it arrives
        bus.publish(a, event("/a", 1)).join();
        await().atMost(TIMEOUT).until(() -> !received.isEmpty());
        assertThat(received).containsExactly(event("/a", 1));
        assertThat(bus.maxMessageSize()).isEqualTo(1000);
    }

    @Test
    void aDeliveredMessageOverTheSizeLimitIsDroppedUnreadAndCounted() {
        String a = channel("a");
        List<Message> received = busOf1000BytesReceiving(a);
        // well formed, as a process with a larger limit would publish it
        Message large = new JoinRooms("/a", "w.1", Collections.nCopies(2000, "r"));
        byte[] body = MessageCodec.encode(large);
        assertThat(body.length).isGreaterThan(1000);

        publishRaw(a, body);
        publishRaw(a, MessageCodec.encode(event("/a", 1)));

        await().atMost(TIMEOUT).until(() -> !received.isEmpty());
        assertThat(received).containsExactly(event("/a", 1));
        assertThat(bus.dropped().count(Cause.TOO_LARGE)).isEqualTo(1);
        assertThat(bus.dropped().count(Cause.MALFORMED)).isZero();
    }

    @Test
    void startIsIdempotent() {
        String a = channel("a");
        List<Message> received = new CopyOnWriteArrayList<>();
        bus.subscribe(a, received::add);
        bus.start();
        bus.start();

        bus.publish(a, event("/a", 1));

        await().atMost(TIMEOUT).until(() -> !received.isEmpty());
        assertThat(received).containsExactly(event("/a", 1));
    }
}
