package io.github.siodistributor.core.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.engine.EngineSession;
import io.github.siodistributor.core.engine.TestSessions;
import io.github.siodistributor.core.protocol.Message;
import io.github.siodistributor.core.protocol.Message.SocketConnected;
import io.github.siodistributor.core.protocol.Message.SocketEvent;
import io.github.siodistributor.core.protocol.Payload;
import io.github.siodistributor.core.transport.BackendRegistry;
import io.github.siodistributor.core.transport.DroppedMessages;
import io.github.siodistributor.core.transport.MessageBus;
import io.github.siodistributor.core.transport.TestConnectionFactories;
import io.github.siodistributor.testsupport.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The worker's router against a real registry. An instance whose entry expired while Redis could not be reached
 * could not renew it either, and is given the loss grace to do so rather than taken for dead by the first read
 * after the outage (which would move every one of its sockets); without an outage, an expired entry is death at
 * once. And a socket's waiting line keeps its order when the bus refuses part of it.
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

    /**
     * A bus that publishes nowhere (each publish heard by one subscriber, and recorded) or refuses at once, as the
     * test sets, and tells the connection state the test sets.
     */
    private static final class StubBus implements MessageBus {
        volatile boolean connected = true;
        /** Publishes still to refuse at once, as the bus does at its limit. */
        final AtomicInteger refusing = new AtomicInteger();
        /** Whether Redis answers publishes at once; if not, they wait in {@link #unanswered}. */
        volatile boolean answering = true;
        /** How many subscribers a publish answered at once reached: 0 while the instance's subscription is cut. */
        volatile long receivers = 1;
        final List<CompletableFuture<Long>> unanswered = new CopyOnWriteArrayList<>();
        final List<Message> published = new CopyOnWriteArrayList<>();
        private final DroppedMessages dropped = new DroppedMessages();

        @Override
        public CompletableFuture<Long> publish(String channel, Message message) {
            if (refusing.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
                return CompletableFuture.failedFuture(new IllegalStateException("over the bus's buffer limit"));
            }
            published.add(message);
            if (answering) {
                return CompletableFuture.completedFuture(receivers);
            }
            CompletableFuture<Long> answer = new CompletableFuture<>();
            unanswered.add(answer);
            return answer;
        }

        /** Redis answers the oldest {@code count} publishes it had not answered, each heard by {@link #receivers}. */
        void answer(int count) {
            for (int i = 0; i < count; i++) {
                unanswered.remove(0).complete(receivers);
            }
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

    /**
     * A socket's connect and events wait for an instance; when one is found, the bus refuses the connect at once (its
     * limit reached by a crowd of such sockets) and takes what follows. The events stay in line behind the connect,
     * which is sent again later, instead of reaching the instance before it (which would refuse them for a socket it
     * does not know).
     */
    @Test
    void whatWaitsBehindAMessageTheBusRefusedAtOnceStaysBehindIt() {
        EmbeddedChannel channel = new EmbeddedChannel();
        WorkerSocket socket = socketOn(TestSessions.open(channel));
        SocketConnected connect = new SocketConnected("/chat", socket.id, socket.handshake());
        List<SocketEvent> events = List.of(say(socket), say(socket));
        // no instance picked yet: all of it waits, in order
        router.send(socket, connect);
        events.forEach(event -> router.send(socket, event));
        assertThat(bus.published).isEmpty();

        bus.refusing.set(1);
        router.check();
        channel.runPendingTasks();
        assertThat(bus.published).as("sent while the connect waits to go again").isEmpty();

        // a later look at the stalled socket (a loss grace after its last try) sends its line again, in order
        await().atMost(WAIT).until(() -> {
            router.check();
            channel.runPendingTasks();
            return !bus.published.isEmpty();
        });
        assertThat(bus.published).containsExactly(connect, events.get(0), events.get(1));
        channel.finishAndReleaseAll();
    }

    /**
     * A client sending faster than Redis takes its events (Redis answers nothing for now): once it has {@link
     * SocketRouter#READS_HELD_AT} publishes unanswered, its WebSocket is not read until they are down to {@link
     * SocketRouter#READS_RESUMED_AT}. Nothing it sent is refused: what was read already goes on.
     */
    @Test
    void aClientWithTooManyPublishesUnansweredIsNotReadUntilRedisHasAnsweredThem() {
        EmbeddedChannel channel = new EmbeddedChannel();
        WorkerSocket socket = sending(channel, SocketRouter.READS_HELD_AT - 1);
        assertThat(channel.config().isAutoRead()).isTrue();
        router.send(socket, say(socket));
        assertThat(channel.config().isAutoRead()).as("read while %s unanswered", SocketRouter.READS_HELD_AT)
                .isFalse();
        // the rest of what was read goes on
        router.send(socket, say(socket));
        assertThat(bus.published).hasSize(SocketRouter.READS_HELD_AT + 1);
        assertThat(bus.dropped().total()).isZero();

        bus.answer(bus.unanswered.size() - SocketRouter.READS_RESUMED_AT - 1);
        assertThat(channel.config().isAutoRead()).isFalse();
        bus.answer(1);
        assertThat(channel.config().isAutoRead()).isTrue();
        bus.answer(bus.unanswered.size());
        channel.finishAndReleaseAll();
    }

    /**
     * A live instance whose subscription was cut (alone: Redis and the registry are fine) hears nothing for a moment:
     * what it missed is sent again soon after it is back, not only once per loss grace (a minute here), while the
     * client's later events wait behind it.
     */
    @Test
    void whatALiveInstanceDidNotHearIsSentAgainSoonAfterItsSubscriptionIsBack() {
        router.close();
        router = new SocketRouter("w1", bus, names, registry, new BackendRouting(Duration.ofMinutes(1),
                Duration.ofMinutes(1), BackendRouting.WhenNoBackend.HOLD, 100, BackendRouting.DEFAULT_HELD_EVENTS_SIZE,
                Duration.ofSeconds(10)), List.of("/chat"), new WorkerStats(), List::of, socket -> { });
        router.check();
        EmbeddedChannel channel = new EmbeddedChannel();
        WorkerSocket socket = socketOn(TestSessions.openWebSocket(channel));
        assertThat(router.assign(socket)).isTrue();

        // two events on their way when the instance's subscription is cut: Redis answers that nobody heard them
        bus.answering = false;
        bus.receivers = 0;
        SocketEvent missed = new SocketEvent("/chat", socket.id, "missed", SocketEvent.NO_ACK, Payload.empty());
        SocketEvent after = new SocketEvent("/chat", socket.id, "after", SocketEvent.NO_ACK, Payload.empty());
        router.send(socket, missed);
        router.send(socket, after);
        bus.answering = true;
        bus.answer(2);
        // from here on only the router's watch thread touches the socket (the embedded loop runs its tasks inline)
        bus.receivers = 1;

        await().atMost(WAIT).until(() -> bus.published.size() >= 4
                && bus.published.get(bus.published.size() - 1) == after);
        List<Message> again = bus.published.subList(2, bus.published.size());
        assertThat(again.subList(0, again.size() - 1)).as("sent again in order, the later one behind the other")
                .isNotEmpty().containsOnly(missed);
        channel.finishAndReleaseAll();
    }

    /** Redis unreachable: publishes wait for it, and the client's pongs must get through; its reads are not held. */
    @Test
    void aClientIsNotHeldWhileRedisIsUnreachable() {
        EmbeddedChannel channel = new EmbeddedChannel();
        bus.connected = false;

        sending(channel, SocketRouter.READS_HELD_AT);

        assertThat(channel.config().isAutoRead()).isTrue();
        channel.finishAndReleaseAll();
    }

    /**
     * An outage that begins while a client is held does not keep it unread past the longest hold; Redis only slow,
     * the client's next event holds it again.
     */
    @Test
    void aHoldEndsAfterTheLongestHoldShouldRedisNotAnswer() {
        EmbeddedChannel channel = new EmbeddedChannel();
        WorkerSocket socket = sending(channel, SocketRouter.READS_HELD_AT);
        assertThat(channel.config().isAutoRead()).isFalse();

        channel.advanceTimeBy(SocketRouter.LONGEST_READ_HOLD.toNanos(), TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.config().isAutoRead()).isTrue();

        // Redis only slow, not gone: the next event read holds the connection again
        router.send(socket, say(socket));
        assertThat(channel.config().isAutoRead()).isFalse();
        // its publishes answered: released once, and nothing to release twice
        bus.answer(bus.unanswered.size());
        assertThat(channel.config().isAutoRead()).isTrue();
        assertThat(socket.session.readsHeld()).isFalse();
        channel.finishAndReleaseAll();
    }

    /** A WebSocket client on {@code channel} whose {@code events} events Redis has not answered yet. */
    private WorkerSocket sending(EmbeddedChannel channel, int events) {
        WorkerSocket socket = socketOn(TestSessions.openWebSocket(channel));
        assertThat(router.assign(socket)).isTrue();
        bus.answering = false;
        for (int i = 0; i < events; i++) {
            router.send(socket, say(socket));
        }
        return socket;
    }

    /** A socket on {@code session}, of namespace /chat, not assigned yet. */
    private static WorkerSocket socketOn(EngineSession session) {
        return new WorkerSocket("w1.run00001abcdefgh", "/chat", "/chat", session, new byte[0], null, new AtomicLong());
    }

    private static SocketEvent say(WorkerSocket socket) {
        return new SocketEvent("/chat", socket.id, "say", SocketEvent.NO_ACK, Payload.empty());
    }

    /** As a heartbeat that stopped longer than its TTL ago. */
    private void expireTheEntry() {
        registry.heartbeat("b1", List.of("/chat"), Duration.ofMillis(1));
        await().atMost(WAIT).until(() -> Boolean.FALSE.equals(registry.instances(List.of("/chat")).get("/chat")
                .get("b1")));
    }
}
