package io.github.siodistributor.backend.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.siodistributor.backend.runtime.PendingRequestsTest.RecordingBus;
import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.Handshake;
import io.github.siodistributor.core.protocol.Message.AckReply;
import io.github.siodistributor.core.protocol.Message.SocketConnected;
import io.github.siodistributor.core.protocol.Message.SocketEvent;
import io.github.siodistributor.core.protocol.Payload;
import io.github.siodistributor.core.transport.DroppedMessages.Cause;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * A client that sends faster than its handlers run: its events wait on the backend instance up to a count per
 * socket and bytes for all sockets; beyond, each is refused (in its ack when it asked for one) and counted, and
 * nothing waiting is lost. The test runs the handler executor's tasks by hand, so nothing runs until it says so.
 */
class QueuedEventsLimitTest {

    private static final ChannelNames CHANNELS = new ChannelNames("sio");
    /** An event of some 100 bytes. */
    private static final String LARGE = "[\"" + "x".repeat(100) + "\"]";

    private final RecordingBus bus = new RecordingBus();
    private final Queue<Runnable> handlerTasks = new ArrayDeque<>();
    /** Plays an application's bounded executor that is full. */
    private final AtomicBoolean executorFull = new AtomicBoolean();
    private final DistributorBackend backend = new DistributorBackend(bus, CHANNELS, new JsonMapper(), task -> {
        if (executorFull.get()) {
            throw new RejectedExecutionException("full");
        }
        handlerTasks.add(task);
    });
    private final List<String> handled = new CopyOnWriteArrayList<>();

    QueuedEventsLimitTest() {
        backend.register(new EventsOnly("/chat", (socket, event, args, ack) -> handled.add(socket.id() + " "
                + event)));
    }

    @Test
    void eventsBeyondTheLimitOfOneSocketAreRefusedInTheirAckAndCountedWhileOtherSocketsGoOn() {
        backend.limitQueuedEvents(3, 1024 * 1024);
        connect("w1.run00001a");
        connect("w1.run00001b");

        for (int i = 1; i <= 4; i++) {
            event("w1.run00001a", "e" + i, i, "[]");
        }
        event("w1.run00001a", "e5", SocketEvent.NO_ACK, "[]");
        event("w1.run00001b", "other", 9, "[]");

        assertOneRefusal("w1.run00001a", 4, "already has 3 events waiting",
                "distributor.backend.queued-events-limit");
        assertThat(bus.dropped().count(Cause.LIMIT_EXCEEDED)).isEqualTo(2);
        runHandlerTasks();
        assertThat(handled).containsExactly("w1.run00001a e1", "w1.run00001a e2", "w1.run00001a e3",
                "w1.run00001b other");

        // the handlers caught up: the socket's next events are taken again
        event("w1.run00001a", "e6", SocketEvent.NO_ACK, "[]");
        runHandlerTasks();
        assertThat(handled).endsWith("w1.run00001a e6");
    }

    @Test
    void eventsBeyondTheBytesOfAllSocketsAreRefusedButOneLargerThanTheWholeBudgetGoesWhenNothingWaits() {
        backend.limitQueuedEvents(1000, 150);
        connect("w1.run00001a");
        connect("w1.run00001b");

        event("w1.run00001a", "first", 1, LARGE);
        event("w1.run00001b", "second", 2, LARGE);
        event("w1.run00001b", "small", 3, "[1]");

        assertOneRefusal("w1.run00001b", 2, "distributor.backend.queued-events-size");
        runHandlerTasks();
        assertThat(handled).containsExactly("w1.run00001a first", "w1.run00001b small");

        event("w1.run00001b", "alone", 4, "[\"" + "x".repeat(500) + "\"]");
        runHandlerTasks();
        assertThat(handled).endsWith("w1.run00001b alone");
    }

    @Test
    void anEventTheHandlerExecutorRefusesIsRefusedToTheClientAndTakesNoRoomForGood() {
        backend.limitQueuedEvents(1000, 150);
        connect("w1.run00001a");

        executorFull.set(true);
        event("w1.run00001a", "refused", 1, LARGE);
        executorFull.set(false);
        event("w1.run00001a", "taken", 2, LARGE);
        runHandlerTasks();

        assertOneRefusal("w1.run00001a", 1, "executor refused");
        assertThat(handled).containsExactly("w1.run00001a taken");
    }

    private void connect(String socketId) {
        fromWorker(new SocketConnected("/chat", socketId, new Handshake(Map.of(), Map.of(),
                "{}".getBytes(StandardCharsets.UTF_8), "127.0.0.1", "/socket.io/", 0L)));
        runHandlerTasks();
    }

    private void event(String socketId, String event, long ackId, String args) {
        fromWorker(new SocketEvent("/chat", socketId, event, ackId, Payload.ofJsonArray(
                args.getBytes(StandardCharsets.UTF_8))));
    }

    /** Exactly one event was refused: this socket's, with this ack id, saying these things. */
    private void assertOneRefusal(String socketId, long ackId, String... says) {
        assertThat(refusals()).singleElement().satisfies(refusal -> {
            assertThat(refusal.socketId()).isEqualTo(socketId);
            assertThat(refusal.ackId()).isEqualTo(ackId);
            assertThat(new String(refusal.args().jsonArray(), StandardCharsets.UTF_8)).contains(says);
        });
    }

    private List<AckReply> refusals() {
        return bus.published.stream().filter(AckReply.class::isInstance).map(AckReply.class::cast)
                .filter(reply -> new String(reply.args().jsonArray(), StandardCharsets.UTF_8).contains("\"error\""))
                .toList();
    }

    private void fromWorker(io.github.siodistributor.core.protocol.Message message) {
        bus.handlers.get(CHANNELS.instance(backend.id())).accept(message);
    }

    private void runHandlerTasks() {
        for (Runnable task = handlerTasks.poll(); task != null; task = handlerTasks.poll()) {
            task.run();
        }
    }
}
