package io.github.siodistributor.backend.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.backend.AckTimeoutException;
import io.github.siodistributor.backend.IncompleteAcksException;
import io.github.siodistributor.backend.IndirectNamespace;
import io.github.siodistributor.backend.SocketAckException;
import io.github.siodistributor.backend.SocketArgs;
import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.Handshake;
import io.github.siodistributor.core.protocol.Message.BroadcastSent;
import io.github.siodistributor.core.protocol.Message.BroadcastWithAck;
import io.github.siodistributor.core.protocol.Message.ClientAck;
import io.github.siodistributor.core.protocol.Message.RoomsFetched;
import io.github.siodistributor.core.protocol.Message.ServerSideAck;
import io.github.siodistributor.core.protocol.Message.SocketDisconnected;
import io.github.siodistributor.core.protocol.Message.SocketInfo;
import io.github.siodistributor.core.protocol.Message.SocketsFetched;
import io.github.siodistributor.core.protocol.Message;
import io.github.siodistributor.core.protocol.MessageCodec;
import io.github.siodistributor.core.protocol.Payload;
import io.github.siodistributor.core.protocol.SocketIds;
import io.github.siodistributor.core.transport.DroppedMessages.Cause;
import io.github.siodistributor.core.transport.DroppedMessages;
import io.github.siodistributor.core.transport.MessageBus;
import io.github.siodistributor.core.transport.MessageTooLargeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link PendingRequests} with the three kinds of {@link PendingRequest}, driven directly: the test plays
 * Redis (it completes the publish future with a receiver count) and the receivers (it feeds the replies).
 */
class PendingRequestsTest {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** A timeout that never fires while a test runs. */
    private static final Duration NEVER = Duration.ofMinutes(10);
    /** A timeout a test waits for. */
    private static final Duration SHORT = Duration.ofMillis(150);
    /** A timeout a test waits for, after replies that must come before it even on a slow machine. */
    private static final Duration REPLIES_FIRST = Duration.ofSeconds(1);
    private static final String NS = "/chat";
    private static final String SOCKET = "w-1.3f2a8c10-0000-4000-8000-000000000001";
    private static final String OTHER_SOCKET = "w-1.3f2a8c10-0000-4000-8000-000000000002";
    private static final String REPLIES = "test:reply:backend-1";
    private static final Handshake HANDSHAKE = new Handshake(Map.of(), Map.of(), new byte[0], "10.0.0.1",
            "/socket.io/?EIO=4", 1L);

    private final DroppedMessages dropped = new DroppedMessages();
    private final CompletionExecutor executor = new CompletionExecutor();
    private final PendingRequests requests = new PendingRequests(executor, dropped);

    @AfterEach
    void shutDown() {
        requests.close();
    }

    // ---- fixtures -------------------------------------------------------------------------------

    /**
     * The handler executor, run by hand: a completion handed to it waits until the test runs it, so a test
     * sees that nothing completes a request except a task on this executor (not the thread of the reply, of
     * Redis's answer or of the timer).
     */
    static final class CompletionExecutor implements Executor {
        private final java.util.concurrent.BlockingQueue<Runnable> queued =
                new java.util.concurrent.LinkedBlockingQueue<>();
        private final AtomicInteger submitted = new AtomicInteger();

        @Override
        public void execute(Runnable task) {
            submitted.incrementAndGet();
            queued.add(task);
        }

        /** How many completions were handed over; zero means nothing completed nor will without another event. */
        int submitted() {
            return submitted.get();
        }

        int queued() {
            return queued.size();
        }

        /** Runs what was handed over so far. */
        void runQueued() {
            for (Runnable task; (task = queued.poll()) != null; ) {
                task.run();
            }
        }
    }

    /** An open request: its id, its result, the publish answer the test gives, and where the result completed. */
    private record Opened<T>(long id, CompletableFuture<T> result, CompletableFuture<Long> published) {

        void receivers(long count) {
            published.complete(count);
        }
    }

    private <T> Opened<T> open(PendingRequest<T> request, Duration timeout) {
        CompletableFuture<Long> published = new CompletableFuture<>();
        AtomicLong id = new AtomicLong(-1);
        CompletableFuture<T> result = requests.open(request, timeout, requestId -> {
            id.set(requestId);
            return published;
        });
        assertThat(id.get()).as("the publish function got the request id").isNotNegative();
        return new Opened<>(id.get(), result, published);
    }

    private <T> Opened<T> open(PendingRequest<T> request) {
        return open(request, NEVER);
    }

    /** The request's value; asserts that it completed on the executor. */
    private <T> T valueOf(Opened<T> opened) {
        completeOnTheExecutor(opened);
        try {
            return opened.result().getNow(null);
        } catch (java.util.concurrent.CompletionException e) {
            throw new AssertionError("the request failed: " + e.getCause(), e.getCause());
        }
    }

    /** The request's failure; asserts that it completed on the executor. */
    private Throwable failureOf(Opened<?> opened) {
        completeOnTheExecutor(opened);
        return failureNow(opened.result());
    }

    /** Waits for the executor to be handed the completion, checks that nothing else completed it, and runs it. */
    private void completeOnTheExecutor(Opened<?> opened) {
        if (!opened.result().isDone()) {
            awaitUntil(() -> executor.queued() > 0 || opened.result().isDone());
            assertThat(opened.result()).as("completed by another thread than the executor's").isNotDone();
            executor.runQueued();
        }
        assertThat(opened.result()).as("completed by the executor").isDone();
        assertThat(executor.submitted()).as("completions handed to the executor").isPositive();
    }

    private static void awaitUntil(java.util.concurrent.Callable<Boolean> condition) {
        await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5)).until(condition);
    }

    /** Not complete, and nothing handed to the executor that would complete it. */
    private void assertStillWaiting(Opened<?> opened) {
        assertThat(executor.submitted()).as("completions handed to the executor").isZero();
        assertThat(opened.result()).isNotDone();
    }

    /** The failure of a future that has failed already. */
    private static Throwable failureNow(CompletableFuture<?> future) {
        try {
            Object value = future.getNow(null);
            return fail("the request is not failed but " + (future.isDone() ? "completed with " + value : "pending"));
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause();
        }
    }

    private void reply(Message message) {
        requests.onReply(REPLIES, message);
    }

    private static Payload json(String json) {
        return Payload.ofJsonArray(json.getBytes(StandardCharsets.UTF_8));
    }

    private static ClientAck ack(String socketId, long requestId, String json) {
        return new ClientAck(NS, socketId, requestId, json(json), "");
    }

    private static ClientAck failedAck(String socketId, long requestId, String error) {
        return new ClientAck(NS, socketId, requestId, Payload.empty(), error);
    }

    private static String socketId(int n) {
        return "w-1.3f2a8c10-0000-4000-8000-" + String.format("%012d", n);
    }

    private static List<String> jsonOf(List<SocketArgs> args) {
        return args.stream().map(SocketArgs::json).toList();
    }

    private static SocketArgs decode(ClientAck ack) {
        return SocketArgs.wrap(ack.args(), MAPPER);
    }

    private static SocketAckRequest socketAck() {
        return new SocketAckRequest(SOCKET, "ping", PendingRequestsTest::decode);
    }

    private static BroadcastAckRequest broadcastAck() {
        return new BroadcastAckRequest("'ping' to /chat", PendingRequestsTest::decode);
    }

    /** fetchSockets as the backend makes it: the socket ids of every answer, in arrival order. */
    private static GatherRequest<SocketsFetched, List<String>> fetchSockets() {
        return new GatherRequest<>(SocketsFetched.class, "fetchSockets of /chat", replies -> replies.stream()
                .flatMap(reply -> reply.sockets().stream()).map(SocketInfo::socketId).toList(),
                (message, partial, receivers) -> new TimeoutException(message));
    }

    private static GatherRequest<RoomsFetched, Set<String>> allRooms() {
        return new GatherRequest<>(RoomsFetched.class, "allRooms of /chat", replies -> {
            Set<String> rooms = new LinkedHashSet<>();
            replies.forEach(reply -> rooms.addAll(reply.rooms()));
            return rooms;
        }, (message, partial, receivers) -> new TimeoutException(message));
    }

    private static GatherRequest<ServerSideAck, List<String>> serverSideAcks() {
        return new GatherRequest<>(ServerSideAck.class, "serverSideEmitWithAck 'sync' in /chat",
                replies -> replies.stream().map(reply -> SocketArgs.wrap(reply.args(), MAPPER).json()).toList(),
                (message, partial, receivers) -> new IncompleteAcksException(message, partial.stream()
                        .map(reply -> SocketArgs.wrap(reply.args(), MAPPER)).toList(), (int) receivers, true));
    }

    private static SocketsFetched fetched(String workerId, long requestId, String... socketIds) {
        return fetchedPart(workerId, requestId, 0, 1, socketIds);
    }

    private static SocketsFetched fetchedPart(String workerId, long requestId, int part, int parts,
            String... socketIds) {
        return new SocketsFetched(NS, workerId, requestId, part, parts, java.util.Arrays.stream(socketIds)
                .map(id -> new SocketInfo(id, HANDSHAKE, List.of(id), new byte[0])).toList());
    }

    // ---- the request's future in the caller's hands ---------------------------------------------

    @Test
    void aRequestTheCallerCompletedItselfIsNoLongerWaitingOn() {
        // orTimeout, completeOnTimeout, cancel: the natural ways to bound a wait without the library's timeout
        Opened<SocketArgs> cancelled = open(socketAck(), null);
        cancelled.receivers(1);
        cancelled.result().cancel(false);
        Opened<SocketArgs> timedOut = open(socketAck(), null);
        timedOut.receivers(1);
        timedOut.result().orTimeout(1, java.util.concurrent.TimeUnit.NANOSECONDS);
        await().atMost(Duration.ofSeconds(10)).until(timedOut.result()::isDone);

        reply(ack(SOCKET, cancelled.id(), "[\"late\"]"));
        reply(ack(SOCKET, timedOut.id(), "[\"late\"]"));

        assertThat(dropped.count(Cause.LATE_REPLY)).as("answers for requests that ended").isEqualTo(2);
    }

    @Test
    void aTimeoutTooLongForNanosecondsWaitsAsLongAsItCan() {
        Opened<SocketArgs> opened = open(socketAck(), Duration.ofDays(365L * 1_000));
        opened.receivers(1);
        assertStillWaiting(opened);

        reply(ack(SOCKET, opened.id(), "[\"pong\"]"));
        assertThat(valueOf(opened).json()).isEqualTo("[\"pong\"]");
    }

    // ---- emit with ack to one socket ------------------------------------------------------------

    @Nested
    class SocketAck {

        @Test
        void completesWithTheClientsAnswer() {
            Opened<SocketArgs> opened = open(socketAck());
            opened.receivers(1);
            assertStillWaiting(opened);

            reply(ack(SOCKET, opened.id(), "[\"pong\",1]"));

            assertThat(valueOf(opened).json()).isEqualTo("[\"pong\",1]");
            assertThat(dropped.total()).isZero();
        }

        @Test
        void anAnswerBeforeTheReceiverCountWaitsForTheCount() {
            Opened<SocketArgs> opened = open(socketAck());

            reply(ack(SOCKET, opened.id(), "[\"early\"]"));
            assertStillWaiting(opened);

            opened.receivers(1);
            assertThat(valueOf(opened).json()).isEqualTo("[\"early\"]");
        }

        @Test
        void doesNotTakeTheAnswerOfAnotherSocket() {
            Opened<SocketArgs> opened = open(socketAck());
            opened.receivers(1);

            reply(ack(OTHER_SOCKET, opened.id(), "[\"not mine\"]"));

            assertThat(dropped.count(Cause.MISROUTED)).isEqualTo(1);
            assertStillWaiting(opened);
            reply(ack(SOCKET, opened.id(), "[\"mine\"]"));
            assertThat(valueOf(opened).json()).isEqualTo("[\"mine\"]");
        }

        @Test
        void failsWhenTheSocketsWorkerRunIsLostAndLeavesOtherRunsRequestsWaiting() {
            Opened<SocketArgs> onLostWorker = open(socketAck());
            onLostWorker.receivers(1);
            Opened<SocketArgs> elsewhere = open(new SocketAckRequest("w-2.3f2a8c10-0000-4000-8000-000000000003",
                    "ping", PendingRequestsTest::decode));
            elsewhere.receivers(1);
            // the same worker id started again: a socket of the new run
            Opened<SocketArgs> laterRun = open(new SocketAckRequest("w-1.4f2a8c10-0000-4000-8000-000000000004",
                    "ping", PendingRequestsTest::decode));
            laterRun.receivers(1);

            requests.runLost(SocketIds.runOf(SOCKET), "worker lost");

            assertThat(failureOf(onLostWorker)).isExactlyInstanceOf(SocketAckException.class)
                    .hasMessageContaining(SOCKET).hasMessageContaining("worker lost");
            assertThat(executor.submitted()).as("only the lost run's request completed").isEqualTo(1);
            assertThat(elsewhere.result()).isNotDone();
            assertThat(laterRun.result()).isNotDone();
        }

        @Test
        void aFailedClientAckFailsWithItsReason() {
            Opened<SocketArgs> opened = open(socketAck());
            opened.receivers(1);

            reply(failedAck(SOCKET, opened.id(), "socket " + SOCKET + " disconnected"));

            assertThat(failureOf(opened)).isExactlyInstanceOf(SocketAckException.class)
                    .hasMessage("socket " + SOCKET + " disconnected");
        }

        @Test
        void noReceiverFailsAtOnce() {
            Opened<SocketArgs> opened = open(socketAck());

            opened.receivers(0);

            assertThat(failureOf(opened)).isExactlyInstanceOf(SocketAckException.class)
                    .hasMessageContaining(SOCKET).hasMessageContaining("'ping'")
                    .hasMessageContaining("no receiver is subscribed");
        }

        @Test
        void timesOutWithAnAckTimeoutException() {
            Opened<SocketArgs> opened = open(socketAck(), SHORT);
            opened.receivers(1);

            assertThat(failureOf(opened)).isExactlyInstanceOf(AckTimeoutException.class)
                    .hasMessageContaining(SOCKET).hasMessageContaining("'ping'").hasMessageContaining(SHORT.toString());

            reply(ack(SOCKET, opened.id(), "[\"too late\"]"));
            assertThat(dropped.count(Cause.LATE_REPLY)).isEqualTo(1);
            assertThat(dropped.total()).isEqualTo(1);
        }

        @Test
        void aReplyOfAnotherKindIsMisroutedAndTheRequestStillCompletes() {
            Opened<SocketArgs> opened = open(socketAck());
            opened.receivers(1);

            reply(new BroadcastSent(NS, "w2", opened.id(), 1));
            reply(new RoomsFetched(NS, "w3", opened.id(), 0, 1, List.of("r")));

            assertThat(dropped.count(Cause.MISROUTED)).isEqualTo(2);
            assertStillWaiting(opened);
            reply(ack(SOCKET, opened.id(), "[]"));
            assertThat(valueOf(opened).json()).isEqualTo("[]");
            assertThat(dropped.total()).isEqualTo(2);
        }
    }

    // ---- broadcast with ack ---------------------------------------------------------------------

    @Nested
    class BroadcastAck {

        @Test
        void completesOnlyWhenEveryWorkerReportedAndEveryAskedClientAnswered() {
            Opened<List<SocketArgs>> opened = open(broadcastAck());
            long id = opened.id();

            // worker A's client answers before A said how many clients it asked, and before Redis's count
            reply(ack(socketId(1), id, "[1]"));
            assertStillWaiting(opened);
            opened.receivers(2);
            assertStillWaiting(opened);
            reply(new BroadcastSent(NS, "w4", id, 2));
            assertStillWaiting(opened);
            reply(ack(socketId(2), id, "[2]"));
            // worker A is done, but worker B has not reported
            assertStillWaiting(opened);
            reply(new BroadcastSent(NS, "w5", id, 1));
            // both reported: 3 clients asked, 2 answered
            assertStillWaiting(opened);
            reply(ack(socketId(3), id, "[3]"));

            assertThat(jsonOf(valueOf(opened))).containsExactly("[1]", "[2]", "[3]");
            assertThat(dropped.total()).isZero();
        }

        @Test
        void reportedClientCountsThatWouldWrapAnIntDoNotEndTheWaitEarly() {
            Opened<List<SocketArgs>> opened = open(broadcastAck());
            opened.receivers(3);
            reply(new BroadcastSent(NS, "w4", opened.id(), 3));
            reply(new BroadcastSent(NS, "w5", opened.id(), Integer.MAX_VALUE));
            reply(new BroadcastSent(NS, "w6", opened.id(), Integer.MAX_VALUE));
            reply(ack(socketId(1), opened.id(), "[1]"));

            assertStillWaiting(opened);
        }

        @Test
        void aReportOrAnAckDeliveredTwiceCountsOnce() {
            Opened<List<SocketArgs>> opened = open(broadcastAck());
            long id = opened.id();
            opened.receivers(2);
            reply(new BroadcastSent(NS, "w-a", id, 1));
            // Redis delivered worker A's report, then its client's ack, a second time (Lettuce resent them)
            reply(new BroadcastSent(NS, "w-a", id, 1));
            reply(ack(socketId(1), id, "[1]"));
            reply(ack(socketId(1), id, "[1]"));
            assertStillWaiting(opened);

            reply(new BroadcastSent(NS, "w-b", id, 1));
            assertStillWaiting(opened);
            reply(ack(socketId(2), id, "[2]"));

            assertThat(jsonOf(valueOf(opened))).containsExactly("[1]", "[2]");
            assertThat(dropped.count(Cause.DUPLICATE_REPLY)).isEqualTo(2);
        }

        @Test
        void anAckArrivingBeforeItsWorkersBroadcastSentCountsOnceTheWorkerReports() {
            Opened<List<SocketArgs>> opened = open(broadcastAck());
            opened.receivers(2);
            reply(new BroadcastSent(NS, "w6", opened.id(), 1));
            reply(ack(socketId(1), opened.id(), "[\"a\"]"));
            // worker B's client is faster than worker B's own report
            reply(ack(socketId(2), opened.id(), "[\"b\"]"));
            assertStillWaiting(opened);

            reply(new BroadcastSent(NS, "w7", opened.id(), 1));

            assertThat(jsonOf(valueOf(opened))).containsExactly("[\"a\"]", "[\"b\"]");
        }

        @Test
        void everythingInBeforeTheReceiverCountCompletesWithTheCount() {
            Opened<List<SocketArgs>> opened = open(broadcastAck());
            reply(new BroadcastSent(NS, "w8", opened.id(), 1));
            reply(ack(socketId(1), opened.id(), "[1]"));
            reply(new BroadcastSent(NS, "w9", opened.id(), 0));
            assertStillWaiting(opened);

            opened.receivers(2);

            assertThat(jsonOf(valueOf(opened))).containsExactly("[1]");
        }

        @Test
        void workersWithNoSelectedClientCompleteWithNoAnswers() {
            Opened<List<SocketArgs>> opened = open(broadcastAck());
            opened.receivers(2);
            reply(new BroadcastSent(NS, "w10", opened.id(), 0));
            assertStillWaiting(opened);

            reply(new BroadcastSent(NS, "w11", opened.id(), 0));

            assertThat(valueOf(opened)).isEmpty();
        }

        @Test
        void aFailedClientAckFailsTheBroadcastOnceEveryAnswerIsIn() {
            Opened<List<SocketArgs>> opened = open(broadcastAck());
            opened.receivers(1);
            reply(new BroadcastSent(NS, "w12", opened.id(), 3));
            reply(failedAck(socketId(1), opened.id(), "socket " + socketId(1) + " disconnected"));
            reply(ack(socketId(2), opened.id(), "[\"ok\"]"));
            // the failure is known, but the third client may still answer
            assertStillWaiting(opened);

            reply(ack(socketId(3), opened.id(), "[\"fine\"]"));

            assertThat(failureOf(opened)).isInstanceOfSatisfying(IncompleteAcksException.class, e -> {
                assertThat(e.timedOut()).isFalse();
                assertThat(e.expected()).isEqualTo(3);
                assertThat(jsonOf(e.responses())).containsExactly("[\"ok\"]", "[\"fine\"]");
                assertThat(e).hasMessageContaining("2 of 3").hasMessageContaining("'ping' to /chat")
                        .hasMessageContaining("socket " + socketId(1) + " disconnected");
            });
        }

        @Test
        void aTimeoutAfterEveryWorkerReportedCarriesTheAnswersAndTheExpectedCount() {
            Opened<List<SocketArgs>> opened = open(broadcastAck(), REPLIES_FIRST);
            opened.receivers(2);
            reply(new BroadcastSent(NS, "w13", opened.id(), 2));
            reply(new BroadcastSent(NS, "w14", opened.id(), 1));
            reply(ack(socketId(1), opened.id(), "[\"only\"]"));

            assertThat(failureOf(opened)).isInstanceOfSatisfying(IncompleteAcksException.class, e -> {
                assertThat(e.timedOut()).isTrue();
                assertThat(e.expected()).isEqualTo(3);
                assertThat(jsonOf(e.responses())).containsExactly("[\"only\"]");
                assertThat(e).hasMessageContaining("1 of 3 clients").hasMessageContaining(REPLIES_FIRST.toString());
            });
        }

        @Test
        void aTimeoutBeforeEveryWorkerReportedHasNoExpectedCount() {
            Opened<List<SocketArgs>> opened = open(broadcastAck(), REPLIES_FIRST);
            opened.receivers(2);
            reply(new BroadcastSent(NS, "w15", opened.id(), 1));
            reply(ack(socketId(1), opened.id(), "[\"a\"]"));

            assertThat(failureOf(opened)).isInstanceOfSatisfying(IncompleteAcksException.class, e -> {
                assertThat(e.timedOut()).isTrue();
                assertThat(e.expected()).isEqualTo(-1);
                assertThat(jsonOf(e.responses())).containsExactly("[\"a\"]");
                assertThat(e).hasMessageContaining("1 of 2 workers reported");
            });
        }

        @Test
        void aTimeoutBeforeRedisCountedTheReceiversHasNoExpectedCount() {
            Opened<List<SocketArgs>> opened = open(broadcastAck(), REPLIES_FIRST);
            reply(new BroadcastSent(NS, "w16", opened.id(), 1));
            reply(ack(socketId(1), opened.id(), "[\"a\"]"));

            assertThat(failureOf(opened)).isInstanceOfSatisfying(IncompleteAcksException.class, e -> {
                assertThat(e.timedOut()).isTrue();
                assertThat(e.expected()).isEqualTo(-1);
                assertThat(jsonOf(e.responses())).containsExactly("[\"a\"]");
                assertThat(e).hasMessageContaining("1 of ? workers reported");
            });
        }

        @Test
        void aTimeoutCarriesTheFailuresThatCame() {
            Opened<List<SocketArgs>> opened = open(broadcastAck(), REPLIES_FIRST);
            opened.receivers(1);
            reply(new BroadcastSent(NS, "w17", opened.id(), 2));
            reply(failedAck(socketId(1), opened.id(), "gone away"));

            assertThat(failureOf(opened)).isInstanceOfSatisfying(IncompleteAcksException.class, e -> {
                assertThat(e.timedOut()).isTrue();
                assertThat(e.expected()).isEqualTo(2);
                assertThat(e.responses()).isEmpty();
                assertThat(e).hasMessageContaining("gone away");
            });
        }

        @Test
        void noWorkerCompletesAtOnceWithNoAnswers() {
            Opened<List<SocketArgs>> opened = open(broadcastAck());

            opened.receivers(0);

            assertThat(valueOf(opened)).isEmpty();
        }

        @Test
        void aFailedPublishFails() {
            Opened<List<SocketArgs>> opened = open(broadcastAck());

            opened.published().completeExceptionally(new IllegalStateException("connection reset"));

            assertThat(failureOf(opened)).isInstanceOfSatisfying(IncompleteAcksException.class, e -> {
                assertThat(e.timedOut()).isFalse();
                assertThat(e.responses()).isEmpty();
                assertThat(e).hasMessageContaining("Redis did not take the request")
                        .hasMessageContaining("connection reset");
            });
        }

        @Test
        void aReplyOfAnotherKindIsMisroutedAndTheRequestStillCompletes() {
            Opened<List<SocketArgs>> opened = open(broadcastAck());
            opened.receivers(1);

            reply(fetched("w1", opened.id(), socketId(1)));
            reply(new ServerSideAck(NS, "b18", opened.id(), json("[1]")));

            assertThat(dropped.count(Cause.MISROUTED)).isEqualTo(2);
            assertStillWaiting(opened);
            reply(new BroadcastSent(NS, "w19", opened.id(), 1));
            reply(ack(socketId(1), opened.id(), "[1]"));
            assertThat(jsonOf(valueOf(opened))).containsExactly("[1]");
        }
    }

    // ---- gathering requests: fetchSockets, allRooms, serverSideEmitWithAck -----------------------

    @Nested
    class Gather {

        @Test
        void completesWithEveryReceiversAnswerOnceAllAreIn() {
            Opened<List<String>> opened = open(fetchSockets());
            opened.receivers(3);
            reply(fetched("w1", opened.id(), socketId(1), socketId(2)));
            reply(fetched("w2", opened.id()));
            assertStillWaiting(opened);

            reply(fetched("w3", opened.id(), socketId(3)));

            assertThat(valueOf(opened)).containsExactly(socketId(1), socketId(2), socketId(3));
        }

        @Test
        void anAnswerDeliveredTwiceCountsOnce() {
            Opened<List<String>> opened = open(fetchSockets());
            opened.receivers(2);
            reply(fetched("w1", opened.id(), socketId(1)));
            reply(fetched("w1", opened.id(), socketId(1)));
            assertStillWaiting(opened);

            reply(fetched("w2", opened.id(), socketId(2)));

            assertThat(valueOf(opened)).containsExactly(socketId(1), socketId(2));
            assertThat(dropped.count(Cause.DUPLICATE_REPLY)).isEqualTo(1);
        }

        @Test
        void anAnswerInPartsCountsOnceAllItsPartsAreIn() {
            Opened<List<String>> opened = open(fetchSockets());
            opened.receivers(2);
            reply(fetchedPart("w1", opened.id(), 0, 3, socketId(1)));
            reply(fetched("w2", opened.id(), socketId(4)));
            reply(fetchedPart("w1", opened.id(), 1, 3, socketId(2)));
            assertStillWaiting(opened);

            reply(fetchedPart("w1", opened.id(), 2, 3, socketId(3)));

            assertThat(valueOf(opened)).containsExactlyInAnyOrder(socketId(1), socketId(2), socketId(3), socketId(4));
        }

        @Test
        void aPartDeliveredTwiceCountsOnce() {
            Opened<Set<String>> opened = open(allRooms());
            opened.receivers(1);
            reply(new RoomsFetched(NS, "w29", opened.id(), 0, 2, List.of("a")));
            reply(new RoomsFetched(NS, "w29", opened.id(), 0, 2, List.of("a")));
            assertStillWaiting(opened);

            reply(new RoomsFetched(NS, "w29", opened.id(), 1, 2, List.of("b")));

            assertThat(valueOf(opened)).containsExactly("a", "b");
            assertThat(dropped.count(Cause.DUPLICATE_REPLY)).isEqualTo(1);
        }

        @Test
        void aTimeoutSaysWhoseAnswerCameOnlyInPart() {
            Opened<List<String>> opened = open(fetchSockets(), REPLIES_FIRST);
            opened.receivers(2);
            reply(fetched("w1", opened.id(), socketId(1)));
            reply(fetchedPart("w2", opened.id(), 0, 2, socketId(2)));

            assertThat(failureOf(opened)).isExactlyInstanceOf(TimeoutException.class)
                    .hasMessageContaining("1 of 2 answered").hasMessageContaining("1 more in part");
        }

        @Test
        void answersBeforeTheReceiverCountWaitForTheCount() {
            Opened<Set<String>> opened = open(allRooms());
            reply(new RoomsFetched(NS, "w20", opened.id(), 0, 1, List.of("a", "b")));
            reply(new RoomsFetched(NS, "w21", opened.id(), 0, 1, List.of("b", "c")));
            assertStillWaiting(opened);

            opened.receivers(2);

            assertThat(valueOf(opened)).containsExactly("a", "b", "c");
        }

        @Test
        void collectsServerSideAcks() {
            Opened<List<String>> opened = open(serverSideAcks());
            opened.receivers(2);
            reply(new ServerSideAck(NS, "b22", opened.id(), json("[\"one\"]")));
            assertStillWaiting(opened);

            reply(new ServerSideAck(NS, "b23", opened.id(), json("[\"two\"]")));

            assertThat(valueOf(opened)).containsExactly("[\"one\"]", "[\"two\"]");
        }

        @Test
        void noReceiverCompletesAtOnceWithTheAnswersOfNobody() {
            Opened<List<String>> fetch = open(fetchSockets());
            Opened<Set<String>> rooms = open(allRooms());
            Opened<List<String>> serverSide = open(serverSideAcks());

            fetch.receivers(0);
            rooms.receivers(0);
            serverSide.receivers(0);

            assertThat(valueOf(fetch)).isEmpty();
            assertThat(valueOf(rooms)).isEmpty();
            assertThat(valueOf(serverSide)).isEmpty();
        }

        @Test
        void aReplyOfAnotherTypeIsMisroutedAndTheRequestStillCompletes() {
            Opened<List<String>> opened = open(fetchSockets());
            opened.receivers(1);

            reply(new RoomsFetched(NS, "w24", opened.id(), 0, 1, List.of("a")));
            reply(ack(SOCKET, opened.id(), "[]"));
            reply(new BroadcastSent(NS, "w25", opened.id(), 0));

            assertThat(dropped.count(Cause.MISROUTED)).isEqualTo(3);
            assertStillWaiting(opened);
            reply(fetched("w1", opened.id(), SOCKET));
            assertThat(valueOf(opened)).containsExactly(SOCKET);
            assertThat(dropped.total()).isEqualTo(3);
        }

        @Test
        void aTimeoutFailsWithTheGivenFailureSayingHowManyAnswered() {
            Opened<List<String>> opened = open(fetchSockets(), REPLIES_FIRST);
            opened.receivers(2);
            reply(fetched("w1", opened.id(), socketId(1)));

            assertThat(failureOf(opened)).isExactlyInstanceOf(TimeoutException.class)
                    .hasMessageContaining("fetchSockets of /chat").hasMessageContaining("1 of 2 answered")
                    .hasMessageContaining(REPLIES_FIRST.toString());
        }

        @Test
        void aTimeoutBeforeTheReceiverCountSaysSo() {
            Opened<List<String>> opened = open(serverSideAcks(), SHORT);

            assertThat(failureOf(opened)).isInstanceOfSatisfying(IncompleteAcksException.class, e -> {
                assertThat(e.timedOut()).isTrue();
                assertThat(e).hasMessageContaining("0 of ? answered");
            });
        }

        @Test
        void aFailedPublishFails() {
            Opened<Set<String>> opened = open(allRooms());

            opened.published().completeExceptionally(new IllegalStateException("connection reset"));

            assertThat(failureOf(opened)).isExactlyInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("allRooms of /chat").hasMessageContaining("reached nobody")
                    .hasMessageContaining("Redis did not take the request").hasMessageContaining("connection reset");
        }
    }

    // ---- routing of replies ---------------------------------------------------------------------

    @Nested
    class Routing {

        @Test
        void aRequestTooLargeToPublishFailsWithThatErrorAsItIs() {
            Opened<Set<String>> opened = open(allRooms());
            MessageTooLargeException tooLarge = new MessageTooLargeException("FetchRooms", 2000, 1000);

            // as a chained publish (thenApply) fails: wrapped
            opened.published().completeExceptionally(new java.util.concurrent.CompletionException(tooLarge));

            assertThat(failureOf(opened)).isSameAs(tooLarge);
        }

        @Test
        void aReplyForAFinishedRequestIsALateReply() {
            Opened<SocketArgs> opened = open(socketAck());
            opened.receivers(1);
            reply(ack(SOCKET, opened.id(), "[\"first\"]"));
            assertThat(valueOf(opened).json()).isEqualTo("[\"first\"]");

            reply(ack(SOCKET, opened.id(), "[\"second\"]"));
            reply(new BroadcastSent(NS, "w26", opened.id(), 1));

            assertThat(dropped.count(Cause.LATE_REPLY)).isEqualTo(2);
            assertThat(dropped.total()).isEqualTo(2);
            assertThat(valueOf(opened).json()).isEqualTo("[\"first\"]");
        }

        @Test
        void aReplyForATimedOutRequestIsALateReply() {
            Opened<Set<String>> opened = open(allRooms(), REPLIES_FIRST);
            opened.receivers(2);
            reply(new RoomsFetched(NS, "w27", opened.id(), 0, 1, List.of("a")));
            assertThat(failureOf(opened)).isInstanceOf(TimeoutException.class);

            reply(new RoomsFetched(NS, "w28", opened.id(), 0, 1, List.of("b")));

            assertThat(dropped.count(Cause.LATE_REPLY)).isEqualTo(1);
            assertThat(dropped.total()).isEqualTo(1);
        }

        @Test
        void aReplyForARequestNeverMadeIsMisrouted() {
            Opened<SocketArgs> opened = open(socketAck());

            reply(ack(SOCKET, opened.id() + 1, "[]"));
            reply(ack(SOCKET, 1_000_000, "[]"));
            reply(new BroadcastSent(NS, "w29", -1, 0));

            assertThat(dropped.count(Cause.MISROUTED)).isEqualTo(3);
            assertThat(dropped.count(Cause.LATE_REPLY)).isZero();
            assertStillWaiting(opened);
        }

        @Test
        void aMessageThatIsNoReplyIsMisrouted() {
            Opened<SocketArgs> opened = open(socketAck());
            opened.receivers(1);

            reply(new SocketDisconnected(NS, SOCKET, "transport close"));

            assertThat(dropped.count(Cause.MISROUTED)).isEqualTo(1);
            assertStillWaiting(opened);
        }

        @Test
        void requestsGetDistinctIdsAndEachTakesOnlyItsOwnReplies() {
            Opened<SocketArgs> first = open(socketAck());
            Opened<SocketArgs> second = open(socketAck());
            assertThat(first.id()).isNotEqualTo(second.id());
            first.receivers(1);
            second.receivers(1);

            reply(ack(SOCKET, second.id(), "[2]"));
            reply(ack(SOCKET, first.id(), "[1]"));

            assertThat(valueOf(first).json()).isEqualTo("[1]");
            assertThat(valueOf(second).json()).isEqualTo("[2]");
        }

        @Test
        void aPublishThatThrowsIsRethrownAndLeavesNothingPending() {
            SocketAckRequest request = socketAck();
            AtomicLong id = new AtomicLong(-1);

            assertThatThrownBy(() -> requests.open(request, NEVER, requestId -> {
                id.set(requestId);
                throw new IllegalArgumentException("not a distributor socket id");
            })).isInstanceOf(IllegalArgumentException.class).hasMessage("not a distributor socket id");

            reply(ack(SOCKET, id.get(), "[]"));
            assertThat(dropped.total()).as("the reply found no pending request").isEqualTo(1);
            // ended, so that nothing (the index of requests waiting on their socket's leaving) keeps it
            assertThat(request.result).isCompletedExceptionally();
        }
    }

    // ---- completion thread and close ------------------------------------------------------------

    @Nested
    class CompletionAndClose {

        @Test
        void everyWayOfFinishingGoesThroughTheExecutorNeverTheThreadThatTriggeredIt() throws Exception {
            Opened<SocketArgs> answered = open(socketAck());
            Opened<SocketArgs> failed = open(socketAck());
            Opened<SocketArgs> unreachable = open(socketAck());
            // long enough not to time out before the four others are counted below, on a busy machine too
            Opened<SocketArgs> timedOut = open(socketAck(), Duration.ofSeconds(2));
            Opened<SocketArgs> publishFailed = open(socketAck());
            Thread redis = new Thread(() -> {
                answered.receivers(1);
                failed.receivers(1);
                reply(ack(SOCKET, answered.id(), "[]"));
                reply(failedAck(SOCKET, failed.id(), "gone"));
                unreachable.receivers(0);
                timedOut.receivers(1);
                publishFailed.published().completeExceptionally(new IllegalStateException("reset"));
            }, "fake-redis-delivery");
            redis.start();
            redis.join(WAIT.toMillis());

            // each way handed its completion to the executor; none completed on the triggering thread
            assertThat(List.of(answered, failed, unreachable, publishFailed))
                    .allSatisfy(opened -> assertThat(opened.result()).isNotDone());
            assertThat(executor.queued()).isEqualTo(4);
            executor.runQueued();
            assertThat(answered.result().getNow(null).json()).isEqualTo("[]");
            assertThat(failureNow(failed.result())).isInstanceOf(SocketAckException.class).hasMessage("gone");
            assertThat(failureNow(unreachable.result())).isInstanceOf(SocketAckException.class);
            assertThat(failureNow(publishFailed.result())).isInstanceOf(SocketAckException.class);
            // the timeout, from the timer's thread
            assertThat(failureOf(timedOut)).isInstanceOf(AckTimeoutException.class);
            assertThat(executor.submitted()).isEqualTo(5);
        }

        @Test
        void closeFailsEveryPendingRequest() {
            Opened<SocketArgs> socketAck = open(socketAck());
            Opened<List<SocketArgs>> broadcast = open(broadcastAck());
            Opened<List<String>> fetch = open(fetchSockets());
            socketAck.receivers(1);
            broadcast.receivers(1);
            reply(new BroadcastSent(NS, "w30", broadcast.id(), 2));
            reply(ack(socketId(1), broadcast.id(), "[\"in\"]"));
            Opened<SocketArgs> done = open(socketAck());
            done.receivers(1);
            reply(ack(SOCKET, done.id(), "[\"done\"]"));
            assertThat(valueOf(done).json()).isEqualTo("[\"done\"]");

            requests.close();

            assertThat(socketAck.result()).isCompletedExceptionally();
            assertThat(broadcast.result()).isCompletedExceptionally();
            assertThat(fetch.result()).isCompletedExceptionally();
            // the cause, and nothing else: the worker did listen, and the broadcast did reach the workers
            assertThat(failureNow(socketAck.result())).isExactlyInstanceOf(SocketAckException.class)
                    .hasMessageContaining("the backend closed").hasMessageNotContaining("not listening");
            assertThat(failureNow(broadcast.result())).isInstanceOfSatisfying(IncompleteAcksException.class, e -> {
                assertThat(e).hasMessageContaining("the backend closed").hasMessageNotContaining("no worker got");
                assertThat(jsonOf(e.responses())).containsExactly("[\"in\"]");
                assertThat(e.timedOut()).isFalse();
            });
            assertThat(failureNow(fetch.result())).isExactlyInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("the backend closed");
            assertThat(done.result()).isCompleted().isNotCompletedExceptionally();

            // an answer that comes after the close finds nothing waiting
            reply(ack(SOCKET, socketAck.id(), "[]"));
            assertThat(dropped.count(Cause.LATE_REPLY)).isEqualTo(1);
        }
    }

    // ---- timeouts given through the public API must be positive ---------------------------------

    /** A bus that records publishes and answers each with one receiver. */
    static final class RecordingBus implements MessageBus {
        final DroppedMessages dropped = new DroppedMessages();
        final Map<String, Consumer<Message>> handlers = new ConcurrentHashMap<>();
        final List<Message> published = new CopyOnWriteArrayList<>();
        /** What a subscribe throws, as the bus does while Redis is unreachable; null: it subscribes. */
        volatile RuntimeException subscribeFailure;
        /** Larger messages are refused, as by the Redis bus (distributor.redis.max-message-size). */
        volatile long maxMessageSize = Long.MAX_VALUE;

        @Override
        public CompletableFuture<Long> publish(String channel, Message message) {
            long size = MessageCodec.encode(message).length;
            if (size > maxMessageSize) {
                return CompletableFuture.failedFuture(new MessageTooLargeException(
                        message.getClass().getSimpleName(), size, maxMessageSize));
            }
            published.add(message);
            return CompletableFuture.completedFuture(1L);
        }

        @Override
        public long maxMessageSize() {
            return maxMessageSize;
        }

        @Override
        public Subscription subscribe(String channel, Consumer<Message> handler) {
            RuntimeException failure = subscribeFailure;
            if (failure != null) {
                throw failure;
            }
            handlers.put(channel, handler);
            return () -> handlers.remove(channel);
        }

        @Override
        public DroppedMessages dropped() {
            return dropped;
        }

        @Override
        public boolean isConnected() {
            return true;
        }
    }

    @Nested
    class PositiveTimeouts {

        private final RecordingBus bus = new RecordingBus();
        private final ChannelNames channels = new ChannelNames("test");

        private DistributorBackend backend(Duration requestTimeout) {
            return new DistributorBackend(bus, channels, MAPPER, executor, requestTimeout);
        }

        @Test
        void theBackendsDefaultRequestTimeoutMustBePositive() {
            for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofMillis(-1), null}) {
                assertThatIllegalArgumentException().as("%s", bad).isThrownBy(() -> backend(bad))
                        .withMessageContaining("a timeout must be positive").withMessageContaining(String.valueOf(bad));
            }
            assertThat(bus.handlers).as("nothing subscribed by a backend that failed to start").isEmpty();
        }

        @Test
        void everyTimeoutOfTheIndirectApiMustBePositive() {
            try (DistributorBackend backend = backend(NEVER)) {
                IndirectNamespace chat = backend.of(NS);
                for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofNanos(-1), null}) {
                    List<Function<Duration, Object>> setters = List.of(
                            chat::timeout,
                            timeout -> chat.to("room").except("other").timeout(timeout),
                            timeout -> chat.socket(SOCKET).timeout(timeout),
                            timeout -> chat.serverSideEmitWithAck(timeout, "sync"));
                    for (Function<Duration, Object> setter : setters) {
                        assertThatIllegalArgumentException().as("%s", bad).isThrownBy(() -> setter.apply(bad))
                                .withMessageContaining("a timeout must be positive");
                    }
                }
                assertThat(bus.published).as("nothing sent with a bad timeout").isEmpty();
            }
        }

        @Test
        void aTimeoutGivenToTheBroadcastOperatorBoundsTheWait() {
            try (DistributorBackend backend = backend(NEVER)) {
                CompletableFuture<List<SocketArgs>> result = backend.of(NS).timeout(SHORT).emitWithAck("ping", 1);

                assertThat(bus.published).singleElement().isInstanceOf(BroadcastWithAck.class);
                // Redis counted one worker, which never reports: only the given timeout can end the wait
                // (the backend completes on its own completion threads, not on the handler executor)
                awaitUntil(result::isDone);
                assertThat(executor.queued()).isZero();
                assertThat(failureNow(result)).isInstanceOfSatisfying(IncompleteAcksException.class, e -> {
                    assertThat(e.timedOut()).isTrue();
                    assertThat(e.expected()).isEqualTo(-1);
                    assertThat(e).hasMessageContaining(SHORT.toString());
                });
            }
        }
    }
}
