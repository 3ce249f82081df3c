package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.siodistributor.backend.IndirectNamespace;
import io.github.siodistributor.backend.IndirectServer;
import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.annotation.OnEvent;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import io.github.siodistributor.core.transport.DroppedMessages;
import io.github.siodistributor.core.transport.DroppedMessages.Cause;
import io.github.siodistributor.core.transport.MessageTooLargeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A backend's message larger than {@code distributor.redis.max-message-size} (lowered here to 100KB) is never
 * published: a call that expects no answer throws {@link MessageTooLargeException} naming the limit, a request
 * fails with it, and an ack too large for the bus still answers the client, with an error. Each is counted.
 */
class MessageSizeLimitTest extends ChatClusterTestSupport {

    private static final String NS = "/sized";
    private static final String LARGE = "x".repeat(200_000);

    private static ConfigurableApplicationContext backend;
    private static String url;

    @SocketNamespace(NS)
    public static class SizedHandler {

        @OnEvent("large")
        public String large(IndirectSocket socket) {
            return LARGE;
        }

        @OnEvent("small")
        public String small(IndirectSocket socket) {
            return "fits";
        }
    }

    @BeforeAll
    static void startCluster() {
        cluster = new ChatCluster("sizetest");
        backend = cluster.backend(List.of("distributor.redis.max-message-size=100KB"), SizedHandler.class);
        url = ChatCluster.url(cluster.worker("w1", SizedHandler.class));
    }

    @Test
    void aTooLargeAckAnswersTheClientWithAnErrorAndTheSocketGoesOn() throws Exception {
        clients.connect("c", url, NS);
        clients.awaitConnect("c");
        long tooLarge = dropped().count(Cause.TOO_LARGE);

        JsonNode answer = clients.emitWithAck("c", "large").get(WAIT_SECONDS, TimeUnit.SECONDS).get(0);

        assertThat(answer.path("error").path("message").asText()).isEqualTo("internal error");
        assertThat(dropped().count(Cause.TOO_LARGE)).isEqualTo(tooLarge + 1);
        assertThat(clients.emitWithAck("c", "small").get(WAIT_SECONDS, TimeUnit.SECONDS).get(0).asText())
                .isEqualTo("fits");
    }

    @Test
    void aTooLargeEmitThrowsAtTheCallAndATooLargeRequestFailsWithTheSameError() throws Exception {
        clients.connect("d", url, NS);
        String id = clients.awaitConnect("d").get("socketId").asText();

        assertThatThrownBy(() -> ns().emit("news", LARGE)).isInstanceOf(MessageTooLargeException.class)
                .hasMessageContaining("over the limit of 102400 bytes (distributor.redis.max-message-size)");
        assertThatThrownBy(() -> ns().socket(id).emit("news", LARGE)).isInstanceOf(MessageTooLargeException.class);
        assertThatThrownBy(() -> ns().socket(id).setData(LARGE)).isInstanceOf(MessageTooLargeException.class);
        // socket data travels with the socket's handshake: at most half a message
        assertThatThrownBy(() -> ns().socket(id).setData("y".repeat(60_000)))
                .isInstanceOf(MessageTooLargeException.class).hasMessageContaining("socket data")
                .hasMessageContaining("over the limit of 51200 bytes");
        ns().socket(id).setData("z".repeat(40_000));
        await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> "z".repeat(40_000).equals(
                ns().in(id).fetchSockets().get(WAIT_SECONDS, TimeUnit.SECONDS).get(0).data()));
        assertThatThrownBy(() -> ns().socket(id).timeout(Duration.ofSeconds(30)).emitWithAck("q", LARGE)
                .get(WAIT_SECONDS, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(MessageTooLargeException.class);

        // nothing of them reached the client: what follows arrives first
        ns().socket(id).emit("news", "small");
        assertThat(clients.awaitEvent("d", "news").path("args").get(0).asText()).isEqualTo("small");
    }

    private static IndirectNamespace ns() {
        return backend.getBean(IndirectServer.class).of(NS);
    }

    private static DroppedMessages dropped() {
        return backend.getBean(DroppedMessages.class);
    }
}
