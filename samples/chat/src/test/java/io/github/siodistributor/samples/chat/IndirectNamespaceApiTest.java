package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.siodistributor.backend.AckTimeoutException;
import io.github.siodistributor.backend.IndirectNamespace;
import io.github.siodistributor.backend.IndirectServer;
import io.github.siodistributor.backend.SocketAckException;
import io.github.siodistributor.backend.SocketArgs;
import io.github.siodistributor.backend.runtime.DistributorBackend;
import io.github.siodistributor.core.protocol.Handshake;
import io.github.siodistributor.testsupport.NodeClients;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The indirect namespace and socket API, driven from the backend against real clients on two workers,
 * with a non-default channel prefix.
 */
class IndirectNamespaceApiTest extends ChatClusterTestSupport {


    private static ConfigurableApplicationContext backend;
    private static String url1;
    private static String url2;

    @BeforeAll
    static void startCluster() {
        cluster = new ChatCluster("apitest");
        backend = cluster.backend(RecordingHandler.class);
        url1 = ChatCluster.url(cluster.worker("w1", RecordingHandler.class));
        url2 = ChatCluster.url(cluster.worker("w2", RecordingHandler.class));
    }

    @Test
    void theBackendGetsTheHandshake() throws Exception {
        clients.connect("h", url1, "/recorded", Map.of("token", "secret-token"),
                Map.of("query", Map.of("room", "blue"), "transports", List.of("polling")));
        String id = clients.awaitConnect("h").get("socketId").asText();
        // events of one socket are handled in order, so once join is acked the connect handler has run
        clients.emitWithAck("h", "join", "x").get(WAIT_SECONDS, TimeUnit.SECONDS);

        Handshake handshake = backend.getBean(RecordingHandler.class).handshakes.get(id);
        assertThat(handshake).isNotNull();
        assertThat(new ObjectMapper().readTree(handshake.auth()).get("token").asText()).isEqualTo("secret-token");
        assertThat(handshake.queryParameter("room")).isEqualTo("blue");
        assertThat(handshake.queryParameter("EIO")).isEqualTo("4");
        assertThat(handshake.header("host")).isEqualTo(url1.substring("http://".length()));
        assertThat(handshake.address()).isEqualTo("127.0.0.1");
        assertThat(handshake.url()).startsWith("/socket.io/");
        assertThat(handshake.issuedAt()).isPositive();
    }

    @Test
    void namespaceEmitToExceptAndBroadcastSelectTheRightSocketsAcrossWorkers() throws Exception {
        clients.connect("a", url1, "/recorded", null, null);
        clients.connect("b", url2, "/recorded", null, null);
        clients.connect("c", url2, "/recorded", null, null);
        for (String id : List.of("a", "b", "c")) {
            clients.awaitConnect(id);
        }
        clients.emitWithAck("a", "join", "red").get(WAIT_SECONDS, TimeUnit.SECONDS);
        clients.emitWithAck("b", "join", "red").get(WAIT_SECONDS, TimeUnit.SECONDS);
        clients.emitWithAck("b", "join", "blue").get(WAIT_SECONDS, TimeUnit.SECONDS);
        clients.emitWithAck("c", "join", "green").get(WAIT_SECONDS, TimeUnit.SECONDS);
        IndirectNamespace ns = backend.getBean(IndirectServer.class).of("/recorded");

        // each emit is published after the previous one, so each "marker" closes the window of the ones before
        ns.emit("all", 1);
        ns.to("red").except("blue").emit("redNotBlue", 2);
        ns.in("green", "blue").emit("greenOrBlue", 3);
        ns.except("red").emit("notRed", 4);
        ns.emit("marker", 5);
        for (String id : List.of("a", "b", "c")) {
            clients.awaitEvent(id, "marker");
        }
        // "welcome" comes from the connect handler
        assertThat(eventsOf("a")).containsExactly("welcome", "all", "redNotBlue", "marker");
        assertThat(eventsOf("b")).containsExactly("welcome", "all", "greenOrBlue", "marker");
        assertThat(eventsOf("c")).containsExactly("welcome", "all", "greenOrBlue", "notRed", "marker");

        clients.emitWithAck("b", "shout", "hey").get(WAIT_SECONDS, TimeUnit.SECONDS);
        ns.emit("marker2");
        for (String id : List.of("a", "b", "c")) {
            clients.awaitEvent(id, "marker2");
        }
        assertThat(clients.received("a", "shouted")).hasSize(1);
        assertThat(clients.received("c", "shouted")).hasSize(1);
        assertThat(clients.received("b", "shouted")).isEmpty();
    }

    @Test
    void aServerSideDisconnectReachesTheClientAndTheBackendWithItsReason() throws Exception {
        clients.connect("d", url1, "/recorded", null, null);
        String id = clients.awaitConnect("d").get("socketId").asText();
        RecordingHandler recorder = backend.getBean(RecordingHandler.class);

        backend.getBean(IndirectServer.class).of("/recorded").socket(id).disconnect();

        assertThat(clients.awaitDisconnect("d").get("reason").asText()).isEqualTo("io server disconnect");
        assertThat(awaitDisconnectOf(recorder, id).reason()).isEqualTo("server namespace disconnect");
    }

    @Test
    void aClientSideDisconnectReachesTheBackend() throws Exception {
        clients.connect("e", url2, "/recorded", null, null);
        String id = clients.awaitConnect("e").get("socketId").asText();
        RecordingHandler recorder = backend.getBean(RecordingHandler.class);

        clients.disconnect("e");

        assertThat(awaitDisconnectOf(recorder, id).reason()).isIn("client namespace disconnect", "transport close");
    }

    @Test
    void aConnectHandlerCanRefuseAClientWithAMessageAndData() {
        clients.connect("refused", url1, "/recorded", Map.of("refuse", true), null);
        JsonNode error = clients.awaitConnectError("refused");
        assertThat(error.get("message").asText()).isEqualTo("not welcome here");
        assertThat(error.get("data").get("retryAfter").asInt()).isEqualTo(30);

        clients.connect("broken", url1, "/recorded", Map.of("crash", true), null);
        assertThat(clients.awaitConnectError("broken").get("message").asText()).isEqualTo("internal error");
    }

    @Test
    void whatTheConnectHandlerSendsArrivesAfterTheConnectAndRoomsAreJoined() throws Exception {
        clients.connect("greeted", url2, "/recorded", null, Map.of("transports", List.of("websocket")));
        String id = clients.awaitConnect("greeted").get("socketId").asText();
        assertThat(clients.awaitEvent("greeted", "welcome").get("args").get(0).asText()).isEqualTo(id);

        backend.getBean(IndirectServer.class).of("/recorded").to("greeted").emit("to-greeted", 1);
        clients.awaitEvent("greeted", "to-greeted");
        List<String> order = clients.lines().stream().filter(line -> "greeted".equals(line.path("id").asText()))
                .map(line -> line.path("type").asText() + ":" + line.path("event").asText()).toList();
        assertThat(order).containsSubsequence("connect:", "event:welcome", "event:to-greeted");
    }

    @Test
    void anEmitWithAckCompletesWithTheClientsAnswerBinaryIncluded() throws Exception {
        clients.connect("q", url1, "/recorded", null, null);
        String id = clients.awaitConnect("q").get("socketId").asText();
        IndirectNamespace ns = backend.getBean(IndirectServer.class).of("/recorded");

        CompletableFuture<SocketArgs> answer = ns.socket(id).timeout(Duration.ofSeconds(WAIT_SECONDS))
                .emitWithAck("question", 1, "two");
        JsonNode question = clients.awaitEvent("q", "question");
        assertThat(question.get("args").toString()).isEqualTo("[1,\"two\"]");
        clients.answerAck("q", question.get("ackId").asLong(), "answer", 42);
        assertThat(answer.get(WAIT_SECONDS, TimeUnit.SECONDS).json()).isEqualTo("[\"answer\",42]");

        CompletableFuture<SocketArgs> binary = ns.socket(id).emitWithAck("upload?");
        JsonNode ask = clients.awaitEvent("q", "upload?");
        clients.answerAck("q", ask.get("ackId").asLong(), "file", new byte[] {7, 8, 9});
        SocketArgs file = binary.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(file.get(0, String.class)).isEqualTo("file");
        assertThat(file.payload().attachments()).containsExactly(new byte[] {7, 8, 9});
    }

    @Test
    void byteArraysTravelAsBinaryAttachmentsBothWays() throws Exception {
        clients.connect("bin", url2, "/recorded", null, null);
        String id = clients.awaitConnect("bin").get("socketId").asText();

        List<JsonNode> stored = clients.emitWithAck("bin", "store",
                Map.of("name", "photo", "content", new byte[] {1, 2, 3}), new byte[] {4, 5})
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(stored.get(0).get("name").asText()).isEqualTo("photo!");
        assertThat(NodeClients.binary(stored.get(0).get("content"))).containsExactly(1, 2, 3, 4, 5);

        backend.getBean(IndirectServer.class).of("/recorded").socket(id)
                .emit("bytes", new byte[] {9}, Map.of("nested", List.of(new byte[] {8, 7})));
        JsonNode bytes = clients.awaitEvent("bin", "bytes").get("args");
        assertThat(NodeClients.binary(bytes.get(0))).containsExactly(9);
        assertThat(NodeClients.binary(bytes.get(1).get("nested").get(0))).containsExactly(8, 7);
    }

    @Test
    void anUnansweredEmitWithAckTimesOutWithAClearError() throws Exception {
        clients.connect("slow", url2, "/recorded", null, null);
        String id = clients.awaitConnect("slow").get("socketId").asText();

        CompletableFuture<SocketArgs> answer = backend.getBean(IndirectServer.class).of("/recorded").socket(id)
                .timeout(Duration.ofMillis(300)).emitWithAck("never-answered");
        clients.awaitEvent("slow", "never-answered");

        assertThatThrownBy(() -> answer.get(WAIT_SECONDS, TimeUnit.SECONDS)).cause()
                .isInstanceOf(AckTimeoutException.class)
                .hasMessageContaining(id).hasMessageContaining("'never-answered'").hasMessageContaining("PT0.3S");
    }

    @Test
    void anEmitWithAckFailsAtOnceForAGoneSocketAndWhenTheSocketLeaves() throws Exception {
        clients.connect("gone", url1, "/recorded", null, null);
        String id = clients.awaitConnect("gone").get("socketId").asText();
        IndirectNamespace ns = backend.getBean(IndirectServer.class).of("/recorded");

        CompletableFuture<SocketArgs> pending = ns.socket(id).emitWithAck("pending");
        clients.awaitEvent("gone", "pending");
        clients.disconnect("gone");
        assertThatThrownBy(() -> pending.get(WAIT_SECONDS, TimeUnit.SECONDS)).cause()
                .isInstanceOf(SocketAckException.class).hasMessageContaining("disconnected");

        // no timeout given: the worker's answer alone ends the wait
        CompletableFuture<SocketArgs> toNobody = ns.socket(id).emitWithAck("hello?");
        assertThatThrownBy(() -> toNobody.get(WAIT_SECONDS, TimeUnit.SECONDS)).cause()
                .isInstanceOf(SocketAckException.class).hasMessageContaining("is not connected to /recorded");
    }

    @Test
    void everyChannelUsesTheConfiguredPrefix() {
        RedisClient redis = RedisClient.create(cluster.redis().uri());
        try (StatefulRedisConnection<String, String> connection = redis.connect()) {
            List<String> channels = connection.sync().pubsubChannels();
            assertThat(channels).isNotEmpty().allMatch(channel -> channel.startsWith("apitest:"));
            assertThat(channels).contains("apitest:instance:" + backend.getBean(DistributorBackend.class).id(),
                    "apitest:instances", "apitest:peers:/chat", "apitest:worker:w1", "apitest:worker:w2",
                    "apitest:broadcast:/chat", "apitest:broadcast:/recorded");
        } finally {
            redis.shutdown();
        }
    }

    /** The backend's disconnect of this socket; other tests' sockets may have left before it. */
    private static RecordingHandler.Disconnect awaitDisconnectOf(RecordingHandler recorder, String socketId)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (true) {
            RecordingHandler.Disconnect next = recorder.disconnects.poll(deadline - System.nanoTime(),
                    TimeUnit.NANOSECONDS);
            if (next == null) {
                throw new AssertionError("the backend saw no disconnect of " + socketId + " within " + WAIT_SECONDS
                        + " s");
            }
            if (next.socketId().equals(socketId)) {
                return next;
            }
        }
    }

    private List<String> eventsOf(String id) {
        return clients.lines().stream()
                .filter(line -> "event".equals(line.path("type").asText()) && id.equals(line.path("id").asText()))
                .map(line -> line.get("event").asText()).toList();
    }
}
