package io.github.siodistributor.backend.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.backend.Ack;
import io.github.siodistributor.backend.ConnectionRejectedException;
import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.NamespaceHandler;
import io.github.siodistributor.backend.RemoteSocket;
import io.github.siodistributor.backend.SocketAckException;
import io.github.siodistributor.backend.SocketArgs;
import io.github.siodistributor.backend.runtime.PendingRequestsTest.RecordingBus;
import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.Handshake;
import io.github.siodistributor.core.protocol.Message;
import io.github.siodistributor.core.protocol.Message.AckReply;
import io.github.siodistributor.core.protocol.Message.ConnectDecision;
import io.github.siodistributor.core.protocol.Message.SocketConnected;
import io.github.siodistributor.core.protocol.Message.SocketDisconnected;
import io.github.siodistributor.core.protocol.Message.SocketEvent;
import io.github.siodistributor.core.protocol.Message.SocketMoved;
import io.github.siodistributor.core.protocol.Message.SocketRecovered;
import io.github.siodistributor.core.protocol.Payload;
import io.github.siodistributor.core.protocol.WorkerRun;
import io.github.siodistributor.core.transport.DroppedMessages.Cause;
import io.github.siodistributor.core.transport.WorkerLiveness;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a backend instance does with sockets the workers moved away from it (it was presumed dead) or that it
 * already gave up (their worker was declared lost): it forgets exactly those, and runs no handler for them;
 * and what it waits for from a lost worker fails rather than waiting for good.
 * The test plays the worker on the instance channel and runs the handler executor's tasks by hand, so that a
 * message can arrive while the socket's earlier work still waits.
 */
class MovedAndLostSocketsTest {

    private static final ChannelNames CHANNELS = new ChannelNames("sio");
    private static final String SOCKET = "w1.run00001a";

    private final RecordingBus bus = new RecordingBus();
    private final Queue<Runnable> handlerTasks = new ArrayDeque<>();
    private final DistributorBackend backend = new DistributorBackend(bus, CHANNELS, new JsonMapper(),
            handlerTasks::add);
    private final Chat chat = new Chat();

    /** A value Jackson cannot write: its accessor throws. */
    record Unwritable(String value) {
        @Override
        public String value() {
            throw new IllegalStateException("not writable");
        }
    }

    private static final class Chat implements NamespaceHandler {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public String namespace() {
            return "/chat";
        }

        @Override
        public void onConnect(IndirectSocket socket) {
            calls.add("connect " + socket.id());
            if (socket.id().endsWith("refused")) {
                throw new ConnectionRejectedException("not welcome", new Unwritable("x"));
            }
            if (socket.id().endsWith("broken")) {
                throw new AssertionError("a handler's own check");
            }
            if (socket.id().endsWith("verbose")) {
                throw new ConnectionRejectedException("no ".repeat(1000), Map.of("detail", "x".repeat(10_000)));
            }
            if (socket.id().endsWith("impatient")) {
                try {
                    socket.emitWithAck("hello").thenApply(answer -> answer).join();
                } catch (IllegalStateException e) {
                    calls.add("refused: " + e.getMessage());
                }
            }
        }

        @Override
        public void onEvent(IndirectSocket socket, String event, SocketArgs args, Ack ack) {
            calls.add(event + " " + socket.id());
            if (event.equals("whoami")) {
                calls.add("data " + socket.data());
            }
            if (event.equals("unwritable")) {
                ack.send(new Unwritable("x"));
            }
        }

        @Override
        public void onDisconnect(IndirectSocket socket, String reason) {
            calls.add("disconnect " + socket.id() + " (" + reason + ")");
        }

        @Override
        public void onRecover(RemoteSocket socket, String reason) {
            calls.add("recover " + socket.id());
            // what a stateless backend rebuilding its context does
            if (socket.data() != null && socket.data() != socket.data()) {
                calls.add("data decoded anew");
            }
            if (reason.equals("rebuild")) {
                socket.setData("rebuilt");
            } else if (reason.equals("clear")) {
                socket.setData(null);
            }
        }
    }

    private void fromWorker(Message message) {
        bus.handlers.get(CHANNELS.instance(backend.id())).accept(message);
    }

    private void runHandlerTasks() {
        for (Runnable task = handlerTasks.poll(); task != null; task = handlerTasks.poll()) {
            task.run();
        }
    }

    private static Handshake handshake() {
        return new Handshake(Map.of(), Map.of(), "{}".getBytes(StandardCharsets.UTF_8), "127.0.0.1", "/socket.io/",
                0L);
    }

    private List<String> socketsHere() {
        return backend.of("/chat").sockets().stream().map(IndirectSocket::id).toList();
    }

    private void connected() {
        backend.register(chat);
        fromWorker(new SocketConnected("/chat", SOCKET, handshake()));
        runHandlerTasks();
    }

    @Test
    void aConnectDeliveredTwiceRunsTheConnectHandlersOnceAndDecidesOnce() {
        connected();
        fromWorker(new SocketConnected("/chat", SOCKET, handshake()));
        runHandlerTasks();

        assertThat(chat.calls).containsExactly("connect " + SOCKET);
        assertThat(bus.published).filteredOn(ConnectDecision.class::isInstance).hasSize(1);
        assertThat(socketsHere()).containsExactly(SOCKET);
    }

    @Test
    void anEmitWithAckWithoutTimeoutFailsWhenItsSocketLeavesThoughTheWorkersFailureOfItWasLost() {
        connected();
        CompletableFuture<SocketArgs> untimed = backend.of("/chat").socket(SOCKET).emitWithAck("question");
        CompletableFuture<SocketArgs> timed = backend.of("/chat").socket(SOCKET).timeout(Duration.ofHours(1))
                .emitWithAck("question");

        // the worker failed both in a ClientAck that never arrived (a reconnect of this backend's subscription)
        fromWorker(new SocketDisconnected("/chat", SOCKET, "transport close"));

        assertThat(untimed).failsWithin(Duration.ofSeconds(10)).withThrowableThat().havingRootCause()
                .isInstanceOf(SocketAckException.class).withMessageContaining(SOCKET)
                .withMessageContaining("it disconnected: transport close");
        assertThat(timed).as("its timeout ends it").isNotDone();
        timed.cancel(false);
    }

    @Test
    void aSocketThatMovedAwayIsForgottenAfterItsEarlierEventsWithNoHandler() {
        connected();
        fromWorker(new SocketEvent("/chat", SOCKET, "say", -1, Payload.empty()));
        fromWorker(new SocketMoved("/chat", SOCKET));

        assertThat(socketsHere()).as("until the event before the move is handled").containsExactly(SOCKET);
        runHandlerTasks();

        assertThat(socketsHere()).isEmpty();
        assertThat(chat.calls).containsExactly("connect " + SOCKET, "say " + SOCKET);
        // told twice (the worker tells again when it cannot know the first was read): nothing more happens
        fromWorker(new SocketMoved("/chat", SOCKET));
        runHandlerTasks();
        assertThat(chat.calls).hasSize(2);
    }

    @Test
    void anEventOfASocketNotHeldHereRunsNoHandlerAndItsAckSaysWhy() {
        connected();
        fromWorker(new SocketMoved("/chat", SOCKET));
        runHandlerTasks();

        // after the move (a late delivery), and of a socket that never connected here
        fromWorker(new SocketEvent("/chat", SOCKET, "say", -1, Payload.empty()));
        fromWorker(new SocketEvent("/chat", "w1.run00001never-here", "ask", 4, Payload.empty()));
        runHandlerTasks();

        assertThat(chat.calls).containsExactly("connect " + SOCKET);
        assertThat(bus.dropped().count(Cause.UNKNOWN_SOCKET)).isEqualTo(2);
        List<AckReply> replies = bus.published.stream().filter(AckReply.class::isInstance).map(AckReply.class::cast)
                .toList();
        assertThat(replies).singleElement().satisfies(reply -> {
            assertThat(reply.socketId()).isEqualTo("w1.run00001never-here");
            assertThat(reply.ackId()).isEqualTo(4);
            assertThat(new String(reply.args().jsonArray(), StandardCharsets.UTF_8))
                    .contains("is not connected to this backend instance");
        });
    }

    @Test
    void aRecoveredSocketsLaterHandlersSeeTheDataItsWorkerHeldOrWhatTheRecoverHandlerSet() {
        backend.register(chat);
        byte[] held = "{\"user\":\"ann\"}".getBytes(StandardCharsets.UTF_8);
        for (String reason : List.of("backend instance lost", "rebuild", "clear")) {
            chat.calls.clear();
            String socket = "w1.run00001" + reason.charAt(0);
            fromWorker(new SocketRecovered("/chat", socket, handshake(), List.of(), held, reason));
            fromWorker(new SocketEvent("/chat", socket, "whoami", -1, Payload.empty()));
            runHandlerTasks();
            String expected = switch (reason) {
                case "rebuild" -> "rebuilt";
                case "clear" -> "null";
                default -> "{user=ann}";
            };
            assertThat(chat.calls).as(reason).containsExactly("recover " + socket, "whoami " + socket,
                    "data " + expected);
        }
    }

    @Test
    void aConnectHandlerThatFailsBadlyStillRefusesTheClientAtOnce() {
        backend.register(chat);
        fromWorker(new SocketConnected("/chat", "w1.run00001refused", handshake()));
        fromWorker(new SocketConnected("/chat", "w1.run00001broken", handshake()));
        runHandlerTasks();

        List<ConnectDecision> decisions = bus.published.stream().filter(ConnectDecision.class::isInstance)
                .map(ConnectDecision.class::cast).toList();
        assertThat(decisions).extracting(ConnectDecision::socketId, ConnectDecision::accepted,
                ConnectDecision::message).containsExactly(tuple("w1.run00001refused", false, "not welcome"),
                        tuple("w1.run00001broken", false, "internal error"));
        assertThat(socketsHere()).isEmpty();
    }

    /** A refusal too large to publish (its data, its message) still refuses the client at once, without its data. */
    @Test
    void aRefusalTooLargeToSendWholeStillRefusesTheClientAtOnce() {
        bus.maxMessageSize = 4_000;
        backend.register(chat);
        fromWorker(new SocketConnected("/chat", "w1.run00001verbose", handshake()));
        runHandlerTasks();

        List<ConnectDecision> decisions = bus.published.stream().filter(ConnectDecision.class::isInstance)
                .map(ConnectDecision.class::cast).toList();
        assertThat(decisions).singleElement().satisfies(decision -> {
            assertThat(decision.accepted()).isFalse();
            assertThat(decision.message()).startsWith("no no no").endsWith("…").hasSizeLessThanOrEqualTo(1000);
            assertThat(decision.data()).isEmpty();
        });
        assertThat(socketsHere()).isEmpty();
    }

    @Test
    void aConnectHandlerWaitingForItsOwnSocketsAckFailsAtOnceInsteadOfUntilTheConnectTimeout() {
        backend.register(chat);
        fromWorker(new SocketConnected("/chat", "w1.run00001impatient", handshake()));
        // the ack can only come once the client is connected, after the handler returned: on the old code this hung
        assertTimeoutPreemptively(Duration.ofSeconds(20), this::runHandlerTasks);

        assertThat(chat.calls).hasSize(2).last().asString()
                .startsWith("refused: The connect handler of socket w1.run00001impatient waits for that socket's ack");
        assertThat(socketsHere()).as("the client connects all the same").containsExactly("w1.run00001impatient");
    }

    @Test
    void activityOfASocketIdThatNamesNoWorkerIsDroppedAsMalformed() {
        backend.register(chat);
        fromWorker(new SocketConnected("/chat", "no-worker-named", handshake()));
        fromWorker(new SocketEvent("/chat", "no-worker-named", "say", -1, Payload.empty()));
        runHandlerTasks();

        assertThat(chat.calls).isEmpty();
        assertThat(socketsHere()).isEmpty();
        assertThat(bus.dropped().count(Cause.MALFORMED)).isEqualTo(2);
    }

    @Test
    void aSocketThatCameBackBeforeTheMoveWasHandledStays() {
        connected();
        fromWorker(new SocketEvent("/chat", SOCKET, "say", -1, Payload.empty()));
        fromWorker(new SocketMoved("/chat", SOCKET));
        // moved back here (its new instance died too) while the move still waits behind the event
        fromWorker(new SocketRecovered("/chat", SOCKET, handshake(), List.of(), "null".getBytes(
                StandardCharsets.UTF_8), "backend instance lost"));
        runHandlerTasks();

        assertThat(socketsHere()).containsExactly(SOCKET);
        assertThat(chat.calls).containsExactly("connect " + SOCKET, "say " + SOCKET, "recover " + SOCKET);
    }

    @Test
    void theDisconnectOfASocketNotConnectedHereRunsNoHandler() {
        connected();
        fromWorker(new SocketDisconnected("/chat", SOCKET, "transport close"));
        runHandlerTasks();
        // a second one: delivered again around a reconnect, or after the worker was declared lost
        fromWorker(new SocketDisconnected("/chat", SOCKET, "transport close"));
        fromWorker(new SocketDisconnected("/chat", "w1.run00001never-here", "transport close"));
        runHandlerTasks();

        assertThat(chat.calls).containsExactly("connect " + SOCKET, "disconnect " + SOCKET + " (transport close)");
    }

    /**
     * The client leaves (or the worker's connect timeout ends its wait) while the connect handler still runs: a
     * socket the handler then refuses never was connected, and gets no disconnect handler, as with Socket.IO's
     * middleware; one it accepts gets its disconnect after its connect.
     */
    @Test
    void aDisconnectWhileTheConnectHandlerRunsRunsTheDisconnectHandlerOnlyForAnAcceptedSocket() {
        backend.register(chat);
        String refused = "w1.run00001refused";
        fromWorker(new SocketConnected("/chat", refused, handshake()));
        fromWorker(new SocketConnected("/chat", SOCKET, handshake()));
        fromWorker(new SocketDisconnected("/chat", refused, "transport close"));
        fromWorker(new SocketDisconnected("/chat", SOCKET, "transport close"));
        runHandlerTasks();

        assertThat(chat.calls).containsExactly("connect " + refused, "connect " + SOCKET,
                "disconnect " + SOCKET + " (transport close)");
        assertThat(backend.stats().of("/chat").disconnects("transport close")).isOne();
        assertThat(backend.stats().of("/chat").connectedNow()).isZero();
        assertThat(socketsHere()).isEmpty();
    }

    /**
     * A worker declared lost while one of its sockets leaves on its own (a paused worker coming back, sending its
     * clients away): each socket has exactly one disconnect, with the socket its connect had.
     */
    @Test
    void aSocketThatLeavesWhileItsWorkerIsDeclaredLostHasOneDisconnect() {
        List<String> disconnects = new CopyOnWriteArrayList<>();
        DistributorBackend inline = new DistributorBackend(bus, CHANNELS, new JsonMapper(), Runnable::run);
        inline.register(new NamespaceHandler() {
            @Override
            public String namespace() {
                return "/chat";
            }

            @Override
            public void onConnect(IndirectSocket socket) {
            }

            @Override
            public void onEvent(IndirectSocket socket, String event, SocketArgs args, Ack ack) {
            }

            @Override
            public void onDisconnect(IndirectSocket socket, String reason) {
                disconnects.add(socket.id() + " (" + reason + ", handshake " + (socket.handshake() != null) + ")");
                if (reason.equals("worker lost")) {
                    // the other socket's own disconnect, handled while the loss goes through the sockets
                    for (String id : List.of("w1.run00001a", "w1.run00001b")) {
                        bus.handlers.get(CHANNELS.instance(inline.id())).accept(new SocketDisconnected("/chat", id,
                                "transport close"));
                    }
                }
            }
        });
        // a socket of another worker, which keeps its lease: every pass of the watch asks about it
        for (String id : List.of("w1.run00001a", "w1.run00001b", "w2.run00001c")) {
            bus.handlers.get(CHANNELS.instance(inline.id())).accept(new SocketConnected("/chat", id, handshake()));
        }
        AtomicInteger passes = new AtomicInteger();
        AtomicInteger passOfTheLoss = new AtomicInteger();
        inline.watchWorkers(new WorkerLiveness() {
            @Override
            public Map<String, String> leaseHolders(Collection<String> workerIds) {
                passes.incrementAndGet();
                return workerIds.contains("w2") ? Map.of("w2", "run00001") : Map.of();
            }

            @Override
            public void recordLoss(WorkerRun run) {
                passOfTheLoss.set(passes.get());
            }
        }, Duration.ofMillis(10), Duration.ofMillis(1));
        try {
            // a later pass: the one that declared w1 lost has gone through all its sockets
            await().atMost(Duration.ofSeconds(10)).until(() -> passOfTheLoss.get() > 0
                    && passes.get() > passOfTheLoss.get());
            assertThat(disconnects).hasSize(2).allSatisfy(line -> assertThat(line).endsWith("handshake true)"))
                    .anySatisfy(line -> assertThat(line).startsWith("w1.run00001a "))
                    .anySatisfy(line -> assertThat(line).startsWith("w1.run00001b "));
            assertThat(inline.of("/chat").sockets()).extracting(IndirectSocket::id).containsExactly("w2.run00001c");
        } finally {
            inline.close();
        }
    }

    @Test
    void anEmitWithAckToASocketOfAnotherInstanceFailsWhenItsWorkerIsLost() {
        backend.register(chat);
        // every worker asked about is without a lease: lost after the grace
        backend.watchWorkers(new NoLeases(), Duration.ofMillis(10), Duration.ofMillis(1));
        try {
            // a socket this instance does not hold (from fetchSockets, or another instance's): no timeout set
            CompletableFuture<SocketArgs> answer = backend.of("/chat").socket("w9.run00001remote").emitWithAck("ping");

            await().atMost(Duration.ofSeconds(10)).until(() -> {
                runHandlerTasks();
                return answer.isDone();
            });
            assertThat(answer).failsWithin(Duration.ZERO).withThrowableThat().havingRootCause()
                    .isInstanceOf(SocketAckException.class).withMessageContaining("w9.run00001remote");
        } finally {
            backend.close();
        }
    }

    @Test
    void aLostWorkerIsRecordedSoThatItSendsItsClientsAwayShouldItComeBack() {
        connected();
        NoLeases liveness = new NoLeases();
        backend.watchWorkers(liveness, Duration.ofMillis(10), Duration.ofMillis(1));
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                runHandlerTasks();
                return chat.calls.contains("disconnect " + SOCKET + " (worker lost)");
            });
            assertThat(liveness.recorded).containsExactly(new WorkerRun("w1", "run00001"));
        } finally {
            backend.close();
        }
    }

    /** Every worker asked about holds no lease; the losses recorded are kept. */
    private static final class NoLeases implements WorkerLiveness {

        final List<WorkerRun> recorded = new CopyOnWriteArrayList<>();

        @Override
        public Map<String, String> leaseHolders(Collection<String> workerIds) {
            return Map.of();
        }

        @Override
        public void recordLoss(WorkerRun run) {
            recorded.add(run);
        }
    }

    @Test
    void anEmitWithAckAfterTheBackendClosedFailsAtOnce() {
        backend.register(chat);
        backend.close();

        for (CompletableFuture<SocketArgs> answer : List.of(backend.of("/chat").socket(SOCKET).emitWithAck("ping"),
                backend.of("/chat").socket(SOCKET).timeout(Duration.ofSeconds(5)).emitWithAck("ping"))) {
            assertThat(answer).failsWithin(Duration.ZERO).withThrowableThat().havingRootCause()
                    .isInstanceOf(SocketAckException.class).withMessageContaining("the backend closed");
        }
    }

    @Test
    void anAckValueJacksonCannotWriteIsAnsweredWithAnError() {
        connected();
        fromWorker(new SocketEvent("/chat", SOCKET, "unwritable", 7, Payload.empty()));
        runHandlerTasks();

        List<AckReply> replies = bus.published.stream().filter(AckReply.class::isInstance).map(AckReply.class::cast)
                .toList();
        assertThat(replies).hasSize(1);
        assertThat(replies.get(0).ackId()).isEqualTo(7);
        String answer = new String(replies.get(0).args().jsonArray(), StandardCharsets.UTF_8);
        assertThat(answer).contains("\"error\"").contains("unwritable");
    }
}
