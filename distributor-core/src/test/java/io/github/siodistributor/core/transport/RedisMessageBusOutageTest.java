package io.github.siodistributor.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.Message.Custom;
import io.github.siodistributor.core.protocol.Message;
import io.github.siodistributor.core.protocol.MessageCodec;
import io.github.siodistributor.core.transport.DroppedMessages.Cause;
import io.github.siodistributor.core.transport.PublishState.Phase;
import io.github.siodistributor.core.transport.SubscriptionCheck.Outcome;
import io.github.siodistributor.testsupport.TcpBalancer;
import io.github.siodistributor.testsupport.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A Redis that stops and comes back on the same port, under a bus. What Lettuce and the listener container do
 * on their own: both connections reconnect, the channels are resubscribed, the container keeps saying it
 * listens, and Lettuce would queue every publish made meanwhile without a bound. What the bus adds is
 * checked here: held publishes in order within a limit, or refusals, all counted, and a subscription check
 * that sees a dead subscription even while the publishing connection is up.
 */
class RedisMessageBusOutageTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    /** Longer than {@link #TIMEOUT}: a test that waits for a command to time out fails (after its clean-up). */
    private static final Duration LONG_COMMAND_TIMEOUT = Duration.ofMinutes(2);

    private final TestRedis redis = TestRedis.startNew();
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        redis.stop();
    }

    private RedisMessageBus bus(OutageSettings outage) {
        return bus(TestConnectionFactories.startedFor(redis), outage);
    }

    private RedisMessageBus bus(LettuceConnectionFactory factory, OutageSettings outage) {
        resources.add(factory::destroy);
        RedisMessageBus bus = new RedisMessageBus(factory, new DroppedMessages(), new ChannelNames("outage"), outage);
        resources.add(bus);
        return bus;
    }

    private static Custom message(int sequence) {
        return new Custom("t", "test", new byte[] { (byte) sequence });
    }

    private static List<Integer> sequences(List<Message> received) {
        return received.stream().map(message -> (int) ((Custom) message).body()[0]).toList();
    }

    private void stopRedisUnder(RedisMessageBus bus) {
        redis.stop();
        await().atMost(TIMEOUT).until(() -> bus.publishState().phase() == Phase.OUTAGE);
    }

    @Test
    void publishesHeldDuringAnOutageArriveInOrderOnceRedisIsBack() {
        RedisMessageBus bus = bus(OutageSettings.defaults());
        List<Message> received = new CopyOnWriteArrayList<>();
        bus.subscribe("news", received::add);
        bus.start();
        bus.publish("news", message(0)).join();
        await().atMost(TIMEOUT).until(() -> received.size() == 1);

        stopRedisUnder(bus);
        List<CompletableFuture<Long>> held = IntStream.rangeClosed(1, 100).mapToObj(i -> bus.publish("news",
                message(i))).toList();
        assertThat(held).noneMatch(CompletableFuture::isDone);
        assertThat(bus.publishState().held()).isEqualTo(100);
        assertThat(bus.isListening()).as("the listener container does not notice an outage").isTrue();

        redis.start();

        await().atMost(TIMEOUT).until(() -> received.size() == 101);
        assertThat(sequences(received)).containsExactlyElementsOf(IntStream.rangeClosed(0, 100).boxed().toList());
        assertThat(held).allSatisfy(future -> assertThat(future.join()).isEqualTo(1));
        assertThat(bus.dropped().total()).isZero();
        await().atMost(TIMEOUT).until(() -> bus.publishState().phase() == Phase.CONNECTED);
        assertThat(bus.publish("news", message(101)).join()).isEqualTo(1);
    }

    @Test
    void onceTheHeldLineIsOutAPublishToAChannelNotYetConfirmedDoesNotWaitForTheGraceToEnd() {
        // a grace far longer than the test waits: a publish held until its end would fail the test
        RedisMessageBus bus = bus(new OutageSettings(OutagePolicy.BUFFER, 100, Duration.ofMinutes(5)));
        List<Message> news = new CopyOnWriteArrayList<>();
        List<Message> other = new CopyOnWriteArrayList<>();
        bus.subscribe("news", news::add);
        bus.subscribe("other", other::add);
        bus.start();
        bus.publish("news", message(0)).join();

        stopRedisUnder(bus);
        CompletableFuture<Long> held = bus.publish("news", message(1));
        redis.start();
        assertThat(held.join()).isEqualTo(1);
        assertThat(bus.publishState().phase()).as("within the resubscribe grace").isEqualTo(Phase.RECOVERING);

        // "other" has reached nobody since Redis came back: it goes alone, as the line's head, at once
        assertThat(bus.publish("other", message(2)).orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join())
                .isEqualTo(1);
        await().atMost(TIMEOUT).until(() -> other.size() == 1);
        assertThat(news).hasSize(2);
    }

    @Test
    void publishesOnTheirWayWhenRedisDiesAreNotLost() throws Exception {
        RedisMessageBus bus = bus(OutageSettings.defaults());
        List<Message> received = new CopyOnWriteArrayList<>();
        bus.subscribe("stream", received::add);
        bus.start();
        List<CompletableFuture<Long>> published = new CopyOnWriteArrayList<>();
        AtomicBoolean enough = new AtomicBoolean();
        Thread publisher = new Thread(() -> {
            for (int i = 0; !enough.get() && i < 8_000; i++) {
                published.add(bus.publish("stream", new Custom("t", "test", ByteBuffer.allocate(4).putInt(i)
                        .array())));
            }
        });
        publisher.start();
        // Redis dies while publishes stream out
        await().atMost(TIMEOUT).until(() -> published.size() >= 1_000);
        // once the bus has seen the connection drop, Lettuce has read every answer the dead Redis sent: a publish
        // not done by then had no answer and is sent again (an answer still unread when Redis died would have
        // counted as "on its way" though its delivery may have died in Redis's output buffer)
        stopRedisUnder(bus);
        int atStop = published.size();
        await().atMost(TIMEOUT).until(() -> published.size() >= atStop + 500 || !publisher.isAlive());
        enough.set(true);
        publisher.join(TIMEOUT.toMillis());
        int total = published.size();
        // what the dead Redis had answered: those it may have taken down with it, still in its output buffer
        // for the subscriber (Redis counted the subscriber, the publisher cannot know); the rest was on its way
        List<Integer> onTheirWay = IntStream.range(0, total).filter(i -> !published.get(i).isDone()).boxed().toList();
        assertThat(onTheirWay).as("publishes Redis had not answered when it died").isNotEmpty();

        redis.start();
        await().atMost(TIMEOUT).until(() -> published.stream().allMatch(CompletableFuture::isDone));
        assertThat(bus.dropped().total()).as("nothing refused or failed").isZero();
        // Lettuce sends again what was on its way when the connection broke (it may arrive twice), and what then
        // reached nobody is sent once more after it: none is lost, though those few may come out of order
        // (Redis's answer to a PUBLISH may be read before the subscriber's connection reads the delivery)
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(received.stream()
                .map(message -> ByteBuffer.wrap(((Custom) message).body()).getInt()).collect(Collectors.toSet()))
                .containsAll(onTheirWay));
        assertThat(published).allSatisfy(future -> assertThat(future).isCompletedWithValueMatching(
                receivers -> receivers >= 1, "reached the subscriber"));
    }

    @Test
    void onlyAFailureOfTheConnectionItselfIsHeldForAnotherTry() {
        assertThat(OutagePublisher.isConnectionFailure(new java.net.SocketException("Connection reset"))).isTrue();
        assertThat(OutagePublisher.isConnectionFailure(new java.util.concurrent.CompletionException(
                new io.lettuce.core.RedisException("Connection closed")))).isTrue();
        // Redis ran it, or may have: sending it again would not help, or would repeat it
        assertThat(OutagePublisher.isConnectionFailure(new io.lettuce.core.RedisCommandExecutionException(
                "OOM command not allowed"))).isFalse();
        assertThat(OutagePublisher.isConnectionFailure(new io.lettuce.core.RedisCommandTimeoutException(
                "Command timed out"))).isFalse();
    }

    /** A started bus that holds or awaits at most 3 publishes, with what reaches "news" in {@code received}. */
    private RedisMessageBus startedWithLimitOf3(List<Message> received) {
        RedisMessageBus bus = bus(new OutageSettings(OutagePolicy.BUFFER, 3, Duration.ofSeconds(5)));
        bus.subscribe("news", received::add);
        bus.start();
        return bus;
    }

    /** Publishes 1 to 5 on "news"; with a limit of 3 and no answer from Redis, the last two must fail at once. */
    private static List<CompletableFuture<Long>> publishFiveOverALimitOf3(RedisMessageBus bus, String refusal) {
        List<CompletableFuture<Long>> futures = IntStream.rangeClosed(1, 5).mapToObj(i -> bus.publish("news",
                message(i))).toList();
        assertThat(futures.subList(0, 3)).noneMatch(CompletableFuture::isDone);
        assertThat(futures.subList(3, 5)).allSatisfy(future -> assertThat(future).isCompletedExceptionally()
                .failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(RedisUnavailableException.class).withMessageContaining(refusal));
        return futures;
    }

    @Test
    void aRedisThatStopsAnsweringWhileConnectedIsABacklogNotAnOutage() {
        List<Message> received = new CopyOnWriteArrayList<>();
        RedisMessageBus bus = startedWithLimitOf3(received);
        RedisClient client = RedisClient.create(RedisURI.create(redis.host(), redis.port()));
        resources.add(client::shutdown);
        RedisCommands<String, String> admin = client.connect().sync();

        // every connection stays open, but Redis answers no PUBLISH until told to go on
        clientCommand(admin, "PAUSE", "60000", "WRITE");
        List<CompletableFuture<Long>> futures = publishFiveOverALimitOf3(bus, "Redis has not answered the last 3 "
                + "publishes yet although connected (limit 3, distributor.redis.outage.buffer-limit)");

        assertThat(bus.dropped().count(Cause.REDIS_BACKLOG)).isEqualTo(2);
        assertThat(bus.dropped().count(Cause.REDIS_UNAVAILABLE)).isZero();
        assertThat(bus.publishState().phase()).isEqualTo(Phase.CONNECTED);

        clientCommand(admin, "UNPAUSE");
        await().atMost(TIMEOUT).until(() -> received.size() == 3);
        assertThat(sequences(received)).containsExactly(1, 2, 3);
        assertThat(futures.subList(0, 3)).allSatisfy(future -> assertThat(future).succeedsWithin(TIMEOUT)
                .isEqualTo(1L));
    }

    private static void clientCommand(RedisCommands<String, String> admin, String... args) {
        CommandArgs<String, String> commandArgs = new CommandArgs<>(StringCodec.UTF8);
        for (String arg : args) {
            commandArgs.add(arg);
        }
        assertThat(admin.dispatch(CommandType.CLIENT, new StatusOutput<>(StringCodec.UTF8), commandArgs))
                .isEqualTo("OK");
    }

    @Test
    void beyondTheBufferLimitAPublishFailsAtOnceNamingTheLimitAndIsCounted() {
        List<Message> received = new CopyOnWriteArrayList<>();
        RedisMessageBus bus = startedWithLimitOf3(received);

        stopRedisUnder(bus);
        publishFiveOverALimitOf3(bus, "outage buffer is full (limit 3)");
        assertThat(bus.dropped().count(Cause.REDIS_UNAVAILABLE)).isEqualTo(2);

        redis.start();
        await().atMost(TIMEOUT).until(() -> received.size() == 3);
        assertThat(sequences(received)).containsExactly(1, 2, 3);
        assertThat(bus.dropped().count(Cause.REDIS_UNAVAILABLE)).isEqualTo(2);
    }

    @Test
    void beyondTheBufferSizeAPublishFailsAtOnceNamingTheLimitAndTheBytesComeBackOnceSent() {
        List<Message> received = new CopyOnWriteArrayList<>();
        // two messages of a kilobyte fit, a third does not: the count limit alone would take 100
        RedisMessageBus bus = bus(new OutageSettings(OutagePolicy.BUFFER, 100, 2_500, Duration.ofSeconds(5)));
        bus.subscribe("news", received::add);
        bus.start();

        stopRedisUnder(bus);
        List<CompletableFuture<Long>> held = List.of(bus.publish("news", kilobyte(1)), bus.publish("news",
                kilobyte(2)));
        CompletableFuture<Long> refused = bus.publish("news", kilobyte(3));
        assertThat(held).noneMatch(CompletableFuture::isDone);
        assertThat(refused).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(RedisUnavailableException.class)
                .withMessageContaining("(limit 2500 bytes, distributor.redis.outage.buffer-size)");
        assertThat(bus.dropped().count(Cause.REDIS_UNAVAILABLE)).isEqualTo(1);

        redis.start();
        assertThat(held).allSatisfy(future -> assertThat(future).succeedsWithin(TIMEOUT).isEqualTo(1L));
        // what was sent no longer counts: one after the other, each fits again
        for (int sequence = 4; sequence <= 6; sequence++) {
            assertThat(bus.publish("news", kilobyte(sequence))).succeedsWithin(TIMEOUT).isEqualTo(1L);
        }
        await().atMost(TIMEOUT).until(() -> received.size() == 5);
        assertThat(sequences(received)).containsExactly(1, 2, 4, 5, 6);
        assertThat(bus.dropped().count(Cause.REDIS_UNAVAILABLE)).isEqualTo(1);
    }

    @Test
    void aMessageLargerThanTheWholeBufferSizeStillGoesWhenNothingElseIsTaken() {
        RedisMessageBus bus = bus(new OutageSettings(OutagePolicy.BUFFER, 100, 500, Duration.ofSeconds(5)));
        bus.start();

        assertThat(bus.publish("news", kilobyte(1))).succeedsWithin(TIMEOUT);
        assertThat(bus.dropped().count(Cause.REDIS_BACKLOG)).isZero();
    }

    private static Custom kilobyte(int sequence) {
        byte[] body = new byte[1_000];
        body[0] = (byte) sequence;
        return new Custom("t", "test", body);
    }

    @Test
    void theRejectPolicyFailsPublishesAtOnceWhileRedisIsUnreachable() {
        RedisMessageBus bus = bus(new OutageSettings(OutagePolicy.REJECT, 100, Duration.ofSeconds(5)));
        List<Message> received = new CopyOnWriteArrayList<>();
        bus.subscribe("news", received::add);
        bus.start();

        stopRedisUnder(bus);
        CompletableFuture<Long> refused = bus.publish("news", message(1));

        assertThat(refused).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(RedisUnavailableException.class)
                .withMessageContaining("outage policy: reject");
        assertThat(bus.dropped().count(Cause.REDIS_UNAVAILABLE)).isEqualTo(1);
        assertThat(bus.publishState().held()).isZero();

        redis.start();
        await().atMost(TIMEOUT).until(() -> bus.publishState().phase() == Phase.CONNECTED);
        // the subscription comes back on its own schedule; once it does, publishes arrive again
        await().atMost(TIMEOUT).until(() -> bus.publish("news", message(2)).join() == 1);
        await().atMost(TIMEOUT).until(() -> !received.isEmpty());
        assertThat(sequences(received)).containsOnly(2);
    }

    @Test
    void aHeldPublishWaitsForASubscriberThatResubscribesAfterThePublisherReconnected() throws Exception {
        RedisMessageBus bus = bus(new OutageSettings(OutagePolicy.BUFFER, 100, Duration.ofSeconds(60)));
        bus.start();

        stopRedisUnder(bus);
        List<CompletableFuture<Long>> held = IntStream.rangeClosed(1, 3).mapToObj(i -> bus.publish("late",
                message(i))).toList();
        redis.start();
        // reconnected and replaying, with nobody subscribed to the channel yet: the head is sent again and again
        await().atMost(TIMEOUT).until(() -> bus.publishState().phase() == Phase.RECOVERING);
        assertThat(held).noneMatch(CompletableFuture::isDone);

        List<Integer> received = new CopyOnWriteArrayList<>();
        RedisClient client = RedisClient.create(RedisURI.create(redis.host(), redis.port()));
        resources.add(client::shutdown);
        StatefulRedisPubSubConnection<byte[], byte[]> subscriber = client.connectPubSub(ByteArrayCodec.INSTANCE);
        subscriber.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(byte[] channel, byte[] body) {
                received.add((int) ((Custom) MessageCodec.decode(body)).body()[0]);
            }
        });
        subscriber.sync().subscribe("late".getBytes(StandardCharsets.UTF_8));

        await().atMost(TIMEOUT).until(() -> received.size() == 3);
        assertThat(received).containsExactly(1, 2, 3);
        assertThat(held).allSatisfy(future -> assertThat(future.join()).isEqualTo(1));
        assertThat(bus.dropped().total()).isZero();
    }

    /**
     * Two subscribers before the outage, and after it one resubscribes long before the other (each process
     * reconnects on its own schedule): the held publishes wait for both, rather than go to the first alone.
     */
    @Test
    void heldPublishesWaitForAsManySubscribersAsTheChannelHadBeforeTheOutage() {
        RedisMessageBus publisher = bus(new OutageSettings(OutagePolicy.BUFFER, 100, Duration.ofMinutes(5)));
        publisher.start();
        List<Integer> early = new CopyOnWriteArrayList<>();
        RedisMessageBus earlyBus = bus(OutageSettings.defaults());
        earlyBus.subscribe("news", message -> early.add((int) ((Custom) message).body()[0]));
        earlyBus.start();
        RedisClient client = RedisClient.create(RedisURI.create(redis.host(), redis.port()));
        resources.add(client::shutdown);
        // a second process whose subscription dies with the outage and comes back later
        List<Integer> late = new CopyOnWriteArrayList<>();
        StatefulRedisPubSubConnection<byte[], byte[]> lost = subscriber(client, "news", late);
        resources.add(lost::close);
        assertThat(publisher.publish("news", message(0)).join()).isEqualTo(2);
        await().atMost(TIMEOUT).until(() -> early.size() == 1 && late.size() == 1);
        lost.close();

        stopRedisUnder(publisher);
        List<CompletableFuture<Long>> held = IntStream.rangeClosed(1, 10).mapToObj(i -> publisher.publish("news",
                message(i))).toList();
        redis.start();
        RedisCommands<byte[], byte[]> admin = client.connect(ByteArrayCodec.INSTANCE).sync();
        byte[] news = "news".getBytes(StandardCharsets.UTF_8);
        await().atMost(TIMEOUT).until(() -> publisher.publishState().phase() == Phase.RECOVERING
                && subscribers(admin, news) == 1);
        // the publisher is back, and one subscriber of two: nothing goes yet (it went at once, before)
        await().during(Duration.ofMillis(500)).atMost(TIMEOUT).until(() -> early.size() == 1);

        resources.add(subscriber(client, "news", late)::close);

        List<Integer> all = IntStream.rangeClosed(0, 10).boxed().toList();
        await().atMost(TIMEOUT).until(() -> early.size() == 11 && late.size() == 11);
        assertThat(early).containsExactlyElementsOf(all);
        assertThat(late).containsExactlyElementsOf(all);
        assertThat(held).allSatisfy(future -> assertThat(future.join()).isEqualTo(2));
        assertThat(publisher.dropped().total()).isZero();
    }

    private static StatefulRedisPubSubConnection<byte[], byte[]> subscriber(RedisClient client, String channel,
            List<Integer> received) {
        StatefulRedisPubSubConnection<byte[], byte[]> connection = client.connectPubSub(ByteArrayCodec.INSTANCE);
        connection.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(byte[] from, byte[] body) {
                received.add((int) ((Custom) MessageCodec.decode(body)).body()[0]);
            }
        });
        connection.sync().subscribe(channel.getBytes(StandardCharsets.UTF_8));
        return connection;
    }

    @Test
    void theSubscriptionCheckReadsDeadWhileRedisIsDownAndAliveOnceItIsBack() throws Exception {
        RedisMessageBus bus = bus(OutageSettings.defaults());
        bus.start();
        assertThat(bus.checkSubscription(PROBE_TIMEOUT).get().alive()).isTrue();

        stopRedisUnder(bus);
        SubscriptionCheck down = bus.checkSubscription(PROBE_TIMEOUT).get();
        assertThat(down.alive()).isFalse();
        assertThat(down.detail()).contains("no connection to Redis");

        redis.start();
        await().atMost(TIMEOUT).until(() -> bus.checkSubscription(PROBE_TIMEOUT).get().alive());
    }

    @Test
    void aDeadSubscriptionReadsDeadWhileThePublishingConnectionIsUp() throws Exception {
        RedisMessageBus bus = bus(OutageSettings.defaults());
        List<Message> received = new CopyOnWriteArrayList<>();
        bus.subscribe("news", received::add);
        bus.start();
        assertThat(bus.checkSubscription(PROBE_TIMEOUT).get().alive()).isTrue();

        assertThat(redis.cutSubscribers()).isEqualTo(1);
        try {
            SubscriptionCheck check = bus.checkSubscription(PROBE_TIMEOUT).get();
            assertThat(check.alive()).isFalse();
            assertThat(check.detail()).contains("Redis is reachable, but the subscription is not");
            assertThat(bus.publishState().phase()).isEqualTo(Phase.CONNECTED);
            assertThat(bus.isListening()).as("the listener container does not notice").isTrue();
        } finally {
            redis.admitClients();
        }

        // Lettuce resubscribes by itself once it may connect again
        await().atMost(TIMEOUT).until(() -> bus.checkSubscription(PROBE_TIMEOUT).get().alive());
        assertThat(bus.publish("news", message(1)).join()).isEqualTo(1);
        await().atMost(TIMEOUT).until(() -> received.size() == 1);
    }

    /**
     * What a process that stops while Redis is down does: close its subscriptions, then its bus. Neither may wait
     * for Redis: an UNSUBSCRIBE sent now would hold the caller for the client's whole command timeout (two
     * minutes here, a minute by Lettuce's default).
     */
    @Test
    void closingASubscriptionAndStoppingTheBusWhileRedisIsDownWaitForNothing() {
        RedisMessageBus bus = bus(TestConnectionFactories.startedFor(redis, LONG_COMMAND_TIMEOUT),
                OutageSettings.defaults());
        MessageBus.Subscription subscription = bus.subscribe("news", message -> { });
        bus.start();

        stopRedisUnder(bus);
        assertThat(bus.isConnected()).isFalse();
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> {
            subscription.close();
            bus.stop();
        });
        await().atMost(TIMEOUT).until(stopping::isDone);
        stopping.join();
        assertThat(bus.publishState().phase()).isEqualTo(Phase.STOPPED);
    }

    /**
     * What a process that stops just as Redis dies, or while Redis hangs, does: its connections still look up, so
     * the UNSUBSCRIBE goes out, and nothing answers it. Closing waits for it no longer than a subscribe waits for
     * its confirmation, not for the client's whole command timeout (two minutes here), and the ones after it do
     * not wait again; the bus then stops.
     */
    @Test
    void closingASubscriptionAndStoppingTheBusWhileRedisAnswersNothingWaitAtMostTheSubscriptionBound() {
        RedisMessageBus bus = bus(TestConnectionFactories.startedFor(redis, LONG_COMMAND_TIMEOUT),
                OutageSettings.defaults());
        List<Message> received = new CopyOnWriteArrayList<>();
        MessageBus.Subscription subscription = bus.subscribe("news", received::add);
        // more than the test waits, were each to wait its 2 s in turn
        List<MessageBus.Subscription> more = IntStream.range(0, 20).mapToObj(i -> bus.subscribe("more-" + i,
                message -> { })).toList();
        bus.start();
        // connected, and nothing answers: a close that waits for Redis fails the test
        redis.freeze();
        resources.add(redis::thaw);
        assertThat(bus.isConnected()).isTrue();
        CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> {
            subscription.close();
            more.forEach(MessageBus.Subscription::close);
        });
        await().atMost(TIMEOUT).until(closing::isDone);
        closing.join();
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(bus::stop);
        await().atMost(TIMEOUT).until(stopping::isDone);
        stopping.join();
        assertThat(bus.publishState().phase()).isEqualTo(Phase.STOPPED);
        assertThat(received).isEmpty();
    }

    /**
     * A subscription closed while Redis is down delivers nothing more at once, and is unsubscribed once Redis is
     * back, while the bus goes on: Redis then counts no receiver on its channel, and the others deliver again.
     */
    @Test
    void aSubscriptionClosedWhileRedisIsDownIsUnsubscribedOnceRedisIsBack() {
        RedisMessageBus bus = bus(TestConnectionFactories.startedFor(redis, LONG_COMMAND_TIMEOUT),
                OutageSettings.defaults());
        List<Message> closed = new CopyOnWriteArrayList<>();
        List<Message> kept = new CopyOnWriteArrayList<>();
        MessageBus.Subscription subscription = bus.subscribe("closed", closed::add);
        bus.subscribe("kept", kept::add);
        bus.start();

        stopRedisUnder(bus);
        CompletableFuture<Void> closing = CompletableFuture.runAsync(subscription::close);
        await().atMost(TIMEOUT).until(closing::isDone);
        closing.join();

        redis.start();
        RedisClient client = RedisClient.create(RedisURI.create(redis.host(), redis.port()));
        resources.add(client::shutdown);
        RedisCommands<byte[], byte[]> admin = client.connect(ByteArrayCodec.INSTANCE).sync();
        byte[] closedChannel = "closed".getBytes(StandardCharsets.UTF_8);
        byte[] keptChannel = "kept".getBytes(StandardCharsets.UTF_8);
        // Lettuce resubscribes every channel it had; the bus then unsubscribes the closed one
        await().atMost(TIMEOUT).until(() -> subscribers(admin, keptChannel) == 1);
        admin.publish(closedChannel, MessageCodec.encode(message(1)));
        admin.publish(keptChannel, MessageCodec.encode(message(2)));
        await().atMost(TIMEOUT).until(() -> kept.size() == 1);
        // one connection delivers in order: had the closed handler been given the first message, it would have it
        assertThat(closed).isEmpty();
        await().atMost(TIMEOUT).until(() -> subscribers(admin, closedChannel) == 0);
        assertThat(bus.dropped().total()).isZero();
    }

    /**
     * A subscribe while Redis is down is refused at once (it would wait for the client's whole command timeout,
     * then fail), and leaves nothing behind: the same channel is subscribed once Redis is back, and delivers.
     */
    @Test
    void aSubscribeWhileRedisIsDownIsRefusedAtOnceAndWorksOnceRedisIsBack() {
        RedisMessageBus bus = bus(TestConnectionFactories.startedFor(redis, LONG_COMMAND_TIMEOUT),
                OutageSettings.defaults());
        bus.start();
        stopRedisUnder(bus);

        CompletableFuture<MessageBus.Subscription> refused = CompletableFuture.supplyAsync(() ->
                bus.subscribe("late", message -> { }));
        await().atMost(TIMEOUT).until(refused::isDone);
        assertThat(refused).failsWithin(Duration.ZERO).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOf(RedisUnavailableException.class).withMessageContaining("late");

        redis.start();
        await().atMost(TIMEOUT).until(bus::isConnected);
        List<Message> received = new CopyOnWriteArrayList<>();
        bus.subscribe("late", received::add);
        bus.publish("late", message(1));
        await().atMost(TIMEOUT).until(() -> received.size() == 1);
        assertThat(sequences(received)).containsExactly(1);
    }

    private static long subscribers(RedisCommands<byte[], byte[]> admin, byte[] channel) {
        // keyed by byte arrays, which compare by identity: the one entry is the channel's
        return admin.pubsubNumsub(channel).values().iterator().next();
    }

    @Test
    void concurrentChecksShareOneProbeAndAForeignMessageOnTheProbeChannelIsCounted() throws Exception {
        RedisMessageBus bus = bus(OutageSettings.defaults());
        bus.start();
        CompletableFuture<SubscriptionCheck> first = bus.checkSubscription(PROBE_TIMEOUT);
        CompletableFuture<SubscriptionCheck> second = bus.checkSubscription(PROBE_TIMEOUT);
        assertThat(first.get().alive()).isTrue();
        assertThat(second.get()).isEqualTo(first.get());

        RedisClient client = RedisClient.create(RedisURI.create(redis.host(), redis.port()));
        resources.add(client::shutdown);
        byte[] channel = client.connect().sync().pubsubChannels("outage:probe:*").get(0).getBytes(
                StandardCharsets.UTF_8);
        client.connect(ByteArrayCodec.INSTANCE).sync().publish(channel, MessageCodec.encode(message(7)));
        await().atMost(TIMEOUT).until(() -> bus.dropped().count(Cause.MISROUTED) == 1);
        assertThat(bus.checkSubscription(PROBE_TIMEOUT).get().alive()).isTrue();
    }

    /**
     * A subscription connection that stays open and delivers nothing: the bus reaches Redis through a proxy that goes
     * on answering for the connection (TCP keepalive included) once its way to Redis is cut, as a sidecar does. Lettuce
     * sees no end, Redis goes on counting the subscriber; only the bus's watch can end it.
     */
    @Test
    void aSubscriptionSilencedBehindAProxyIsReplacedAndDeliversAgain() throws Exception {
        TcpBalancer proxy = TcpBalancer.start(redis.port());
        resources.add(proxy);
        RedisMessageBus bus = bus(TestConnectionFactories.startedFor(proxy.port()), OutageSettings.defaults());
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
        RedisMessageBus bus = bus(OutageSettings.defaults());
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
