package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.backend.IncompleteAcksException;
import io.github.siodistributor.backend.IndirectServer;
import io.github.siodistributor.backend.SocketArgs;
import io.github.siodistributor.backend.annotation.OnServerSideEvent;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import io.github.siodistributor.samples.chat.PeerHandler.Query;
import io.github.siodistributor.samples.chat.PeerHandler.Received;
import io.github.siodistributor.samples.chat.PeerHandler.Status;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Server-side events between the backend instances of one namespace ({@code serverSideEmit},
 * {@code serverSideEmitWithAck}, {@code @OnServerSideEvent}), with three backend contexts handling
 * {@code /peers} ({@link PeerHandler}) on one real Redis and no worker or client involved:
 * <ul>
 *   <li>an emit reaches every other instance exactly once, never the sender;</li>
 *   <li>the emits of one sender are handled in the order they were sent;</li>
 *   <li>an emit with ack completes with one answer per other instance (return values and explicit
 *       {@code Ack}s, typed), with a timeout given or not;</li>
 *   <li>handlers bind {@code IndirectNamespace}, {@code SocketArgs}, {@code Ack} and typed arguments;</li>
 *   <li>an instance that does not answer fails the wait with {@link IncompleteAcksException} once the
 *       timeout passes, carrying the answers that came and how many were expected;</li>
 *   <li>with no other instance (or no handler at all) the wait completes at once with no answers.</li>
 * </ul>
 * Every test uses texts of its own, so that late events of an earlier test cannot blur the results.
 */
class ServerSideEmitTest {

    private static final long WAIT_SECONDS = 20;

    private static ChatCluster cluster;
    private static ConfigurableApplicationContext b1;
    private static ConfigurableApplicationContext b2;
    private static ConfigurableApplicationContext b3;

    /** Handles {@code /lone}, in b1 only. */
    @SocketNamespace("/lone")
    public static class LoneHandler {
        @OnServerSideEvent("status")
        public String status() {
            return "nobody else should ask me";
        }
    }

    @BeforeAll
    static void startCluster() {
        cluster = new ChatCluster("peertest");
        b1 = cluster.backend(PeerHandler.class, LoneHandler.class);
        b2 = cluster.backend(PeerHandler.class);
        b3 = cluster.backend(PeerHandler.class);
        peer(b1).name = "b1";
        peer(b2).name = "b2";
        peer(b3).name = "b3";
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    @Test
    void anEmitReachesEveryOtherInstanceExactlyOnceAndNotTheSender() {
        server(b1).of("/peers").serverSideEmit("note", "hello", 1);
        server(b1).of("/peers").serverSideEmit("note", "hello-done", 2);
        for (ConfigurableApplicationContext other : List.of(b2, b3)) {
            awaitReceived(other, "hello-done", 1);
            assertThat(received(other, "hello")).containsExactly(new Received("note", "/peers", "hello", 1));
        }
        // b2 sends after it has b1's emits: once b1 has b2's, its own went by on the same channel before
        server(b2).of("/peers").serverSideEmit("note", "hello-back", 3);
        awaitReceived(b1, "hello-back", 1);
        assertThat(received(b1, "hello")).isEmpty();
        assertThat(received(b1, "hello-done")).isEmpty();
        assertThat(received(b2, "hello-back")).isEmpty();
    }

    @Test
    void theEmitsOfOneSenderAreHandledInOrder() {
        int count = 200;
        for (int i = 0; i < count; i++) {
            server(b2).of("/peers").serverSideEmit("note", "ordered", i);
        }
        List<Integer> expected = IntStream.range(0, count).boxed().toList();
        for (ConfigurableApplicationContext other : List.of(b1, b3)) {
            awaitReceived(other, "ordered", count);
            assertThat(received(other, "ordered")).extracting(Received::number).isEqualTo(expected);
        }
        assertThat(received(b2, "ordered")).isEmpty();
    }

    @Test
    void anEmitWithAckCollectsOneTypedAnswerPerOtherInstance() throws Exception {
        List<SocketArgs> answers = server(b1).of("/peers")
                .serverSideEmitWithAck(Duration.ofSeconds(WAIT_SECONDS), "status", new Query(21, List.of("x", "y")))
                .get(WAIT_SECONDS, TimeUnit.SECONDS);

        assertThat(answers).hasSize(2);
        List<Status> statuses = answers.stream().map(args -> args.get(0, Status.class)).toList();
        assertThat(statuses).extracting(Status::instance).containsExactlyInAnyOrder("b2", "b3");
        assertThat(statuses).allSatisfy(status -> {
            assertThat(status.namespace()).isEqualTo("/peers");
            assertThat(status.doubled()).isEqualTo(42);
            assertThat(status.tags()).containsExactly("x", "y");
            assertThat(status.raw()).isEqualTo("[{\"number\":21,\"tags\":[\"x\",\"y\"]}]");
        });
    }

    @Test
    void withoutATimeoutEveryAnswerComesAndAnswersMayComeThroughAnAckParameter() throws Exception {
        List<SocketArgs> answers = server(b3).of("/peers").serverSideEmitWithAck("poll", "why?")
                .get(WAIT_SECONDS, TimeUnit.SECONDS);

        assertThat(answers).extracting(args -> args.get(0, String.class))
                .containsExactlyInAnyOrder("b1 says 4", "b2 says 4");
        assertThat(answers).allSatisfy(args -> assertThat(args.size()).isEqualTo(1));
    }

    @Test
    void anInstanceThatNeverAnswersFailsTheWaitWithIncompleteAcksOnceTheTimeoutPasses() {
        Duration timeout = Duration.ofMillis(400);
        long start = System.nanoTime();
        CompletableFuture<List<SocketArgs>> answers = server(b2).of("/peers")
                .serverSideEmitWithAck(timeout, "silent", "shh");

        assertThatThrownBy(() -> answers.get(WAIT_SECONDS, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(IncompleteAcksException.class)
                .hasMessageContaining("'silent'").hasMessageContaining("PT0.4S")
                .satisfies(failure -> {
                    IncompleteAcksException incomplete = (IncompleteAcksException) failure;
                    assertThat(incomplete.timedOut()).isTrue();
                    assertThat(incomplete.responses()).isEmpty();
                });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(timeout);
        // both others did get the event; they just did not answer
        awaitReceived(b1, "shh", 1);
        awaitReceived(b3, "shh", 1);
    }

    @Test
    void incompleteAcksCarryTheAnswersThatCame() throws Exception {
        IncompleteAcksException incomplete = pollWhileB3IsMuted("anyone?");

        assertThat(incomplete).hasMessageContaining("1 of 2").hasMessageContaining("within PT2S");
        assertThat(incomplete.timedOut()).isTrue();
        assertThat(incomplete.responses()).as("the answers that came").extracting(args -> args.get(0, String.class))
                .containsExactly("b2 says 7");
    }

    /**
     * {@code expected()} is -1 only "when not every receiver said how many"; for a server-side emit the
     * publish itself tells how many other instances got it (the message says "1 of 2").
     */
    @Test
    void incompleteAcksOfAServerSideEmitTellHowManyAnswersWereExpected() throws Exception {
        IncompleteAcksException incomplete = pollWhileB3IsMuted("expected?");

        assertThat(incomplete).hasMessageContaining("1 of 2");
        assertThat(incomplete.expected()).as("answers expected").isEqualTo(2);
    }

    /**
     * b1 polls with a 2 s timeout (b2's answer must make it in time on a busy machine too); b2 answers, b3 gets the
     * event but stays silent.
     */
    private static IncompleteAcksException pollWhileB3IsMuted(String question) throws Exception {
        peer(b3).muted = true;
        try {
            CompletableFuture<List<SocketArgs>> answers = server(b1).of("/peers")
                    .serverSideEmitWithAck(Duration.ofSeconds(2), "poll", question);
            awaitReceived(b3, question, 1);
            ExecutionException failure = catchThrowableOfType(ExecutionException.class,
                    () -> answers.get(WAIT_SECONDS, TimeUnit.SECONDS));
            assertThat(failure).as("the poll's failure").isNotNull().cause().isInstanceOf(IncompleteAcksException.class);
            return (IncompleteAcksException) failure.getCause();
        } finally {
            peer(b3).muted = false;
        }
    }

    @Test
    void withNoOtherInstanceAnEmitWithAckCompletesAtOnceWithNoAnswers() throws Exception {
        // b1 alone handles /lone; the wait ends with the publish, long before the timeout
        CompletableFuture<List<SocketArgs>> alone = server(b1).of("/lone")
                .serverSideEmitWithAck(Duration.ofSeconds(30), "status");
        assertThat(alone.get(5, TimeUnit.SECONDS)).isEmpty();

        // nobody handles /nobody
        CompletableFuture<List<SocketArgs>> nobody = server(b2).of("/nobody")
                .serverSideEmitWithAck(Duration.ofSeconds(30), "status");
        assertThat(nobody.get(5, TimeUnit.SECONDS)).isEmpty();
    }

    private static IndirectServer server(ConfigurableApplicationContext backend) {
        return backend.getBean(IndirectServer.class);
    }

    private static PeerHandler peer(ConfigurableApplicationContext backend) {
        return backend.getBean(PeerHandler.class);
    }

    private static List<Received> received(ConfigurableApplicationContext backend, String text) {
        return peer(backend).received.stream().filter(received -> received.text().equals(text)).toList();
    }

    private static void awaitReceived(ConfigurableApplicationContext backend, String text, int count) {
        await().atMost(Duration.ofSeconds(WAIT_SECONDS))
                .untilAsserted(() -> assertThat(received(backend, text)).as("'%s' events at %s", text,
                        peer(backend).name).hasSizeGreaterThanOrEqualTo(count));
    }
}
