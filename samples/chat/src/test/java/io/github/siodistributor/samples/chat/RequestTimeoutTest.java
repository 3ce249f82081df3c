package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.siodistributor.backend.IncompleteAcksException;
import io.github.siodistributor.backend.IndirectNamespace;
import io.github.siodistributor.backend.IndirectServer;
import io.github.siodistributor.backend.RemoteSocket;
import io.github.siodistributor.backend.SocketArgs;
import io.github.siodistributor.backend.runtime.DistributorBackend;
import io.github.siodistributor.core.protocol.Message.Custom;
import io.github.siodistributor.core.transport.CustomMessageListener;
import io.github.siodistributor.core.transport.CustomMessages;
import io.github.siodistributor.core.transport.DroppedMessages;
import io.github.siodistributor.core.transport.DroppedMessages.Cause;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code distributor.backend.request-timeout} bounds the requests that set no timeout of their own:
 * {@code fetchSockets()}, {@code allRooms()}, a broadcast {@code emitWithAck} and {@code serverSideEmitWithAck}.
 * The backend under test has it at 3 s, below the 5 s default but time enough for the answers that do come on a
 * busy machine, and meets a worker that does not answer for real: worker w1's Redis delivery thread is held by a
 * slow {@link CustomMessageListener} (what its Javadoc warns against), so w1 counts as a receiver of the requests
 * but answers only once released; worker w2 and a second backend answer normally. Covered: each request fails
 * after the request timeout (not before, and before the default) with the answers that came, the stuck worker's
 * late answers are dropped and counted, and requests succeed again once it is released.
 */
class RequestTimeoutTest extends ChatClusterTestSupport {

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(3);

    private static ConfigurableApplicationContext backend;
    private static ConfigurableApplicationContext stuckWorker;
    private static String url2;

    /** Holds its process's Redis delivery thread from a "freeze" message until released (or 20 s). */
    public static class FreezeListener implements CustomMessageListener {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public String topic() {
            return "freeze";
        }

        @Override
        public void onMessage(Custom message) {
            entered.countDown();
            try {
                release.await(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @BeforeAll
    static void startCluster() {
        cluster = new ChatCluster("timeouttest");
        backend = cluster.backend(List.of("distributor.backend.request-timeout=" + REQUEST_TIMEOUT.toMillis() + "ms"),
                RecordingHandler.class, PeerHandler.class);
        cluster.backend(PeerHandler.class);
        stuckWorker = cluster.worker("w1", RecordingHandler.class, FreezeListener.class);
        url2 = ChatCluster.url(cluster.worker("w2", RecordingHandler.class));
    }

    @AfterAll
    static void releaseTheWorker() {
        if (stuckWorker != null) {
            stuckWorker.getBean(FreezeListener.class).release.countDown();
        }
    }

    @Test
    void requestsWithoutATimeoutOfTheirOwnGiveUpOnAStuckWorkerAfterTheRequestTimeout() throws Exception {
        clients.connect("c", url2, "/recorded");
        String id = clients.awaitConnect("c").get("socketId").asText();
        IndirectNamespace namespace = backend.getBean(IndirectServer.class).of("/recorded");
        DroppedMessages dropped = backend.getBean(DroppedMessages.class);
        long lateBefore = dropped.count(Cause.LATE_REPLY);
        FreezeListener freezer = stuckWorker.getBean(FreezeListener.class);

        backend.getBean(CustomMessages.class).publish("freeze", "hold on");
        assertThat(freezer.entered.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("w1's delivery thread is held").isTrue();
        try {
            long start = System.nanoTime();
            CompletableFuture<List<RemoteSocket>> sockets = namespace.fetchSockets();
            CompletableFuture<Set<String>> rooms = namespace.allRooms();
            CompletableFuture<List<SocketArgs>> acks = namespace.emitWithAck("anyone?");
            JsonNode asked = clients.awaitEvent("c", "anyone?");
            clients.answerAck("c", asked.get("ackId").asLong(), "here");

            assertThatThrownBy(() -> sockets.get(WAIT_SECONDS, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(TimeoutException.class).hasMessageContaining("fetchSockets")
                    .hasMessageContaining("1 of 2 answered within PT3S");
            assertThatThrownBy(() -> rooms.get(WAIT_SECONDS, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(TimeoutException.class).hasMessageContaining("allRooms")
                    .hasMessageContaining("1 of 2 answered within PT3S");
            assertThatThrownBy(() -> acks.get(WAIT_SECONDS, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(IncompleteAcksException.class).hasMessageContaining("within PT3S")
                    .satisfies(failure -> {
                        IncompleteAcksException incomplete = (IncompleteAcksException) failure;
                        assertThat(incomplete.timedOut()).isTrue();
                        assertThat(incomplete.responses()).extracting(args -> args.get(0, String.class))
                                .containsExactly("here");
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(REQUEST_TIMEOUT)
                    .isLessThan(DistributorBackend.DEFAULT_REQUEST_TIMEOUT);
        } finally {
            freezer.release.countDown();
        }

        // w1 answers all three once released: too late, dropped and counted
        await().atMost(Duration.ofSeconds(WAIT_SECONDS))
                .until(() -> dropped.count(Cause.LATE_REPLY) >= lateBefore + 3);
        // and it answers new requests in time again
        assertThat(namespace.fetchSockets().get(WAIT_SECONDS, TimeUnit.SECONDS)).extracting(RemoteSocket::id)
                .contains(id);
        assertThat(namespace.allRooms().get(WAIT_SECONDS, TimeUnit.SECONDS)).contains("greeted");
    }

    @Test
    void aServerSideEmitWithAckWithoutATimeoutGivesUpAfterTheRequestTimeout() {
        long start = System.nanoTime();
        CompletableFuture<List<SocketArgs>> answers = backend.getBean(IndirectServer.class).of("/peers")
                .serverSideEmitWithAck("silent", "hush");

        assertThatThrownBy(() -> answers.get(WAIT_SECONDS, TimeUnit.SECONDS)).cause()
                .isInstanceOf(IncompleteAcksException.class).hasMessageContaining("0 of 1 answered within PT3S");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(REQUEST_TIMEOUT)
                .isLessThan(DistributorBackend.DEFAULT_REQUEST_TIMEOUT);
    }
}
