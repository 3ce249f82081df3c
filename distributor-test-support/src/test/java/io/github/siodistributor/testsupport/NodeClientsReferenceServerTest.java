package io.github.siodistributor.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Proves the harness against plain Node socket.io 4.8 (reference-chat-server.js), so that later failures against
 * the distributor can be blamed on the distributor, not on NodeClients.
 */
class NodeClientsReferenceServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static ReferenceChatServer server;

    private NodeClients clients;

    @BeforeAll
    static void startServer() throws Exception {
        server = new ReferenceChatServer();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void startDriver() {
        clients = new NodeClients();
    }

    @AfterEach
    void stopDriver() {
        clients.close();
    }

    @Test
    void defaultClientConnectsUpgradesAndGetsAcks() throws Exception {
        clients.connect("a", server.url(), "/chat", Map.of("name", "alice"), null);

        JsonNode connect = clients.awaitConnect("a");
        // The engine opens on polling and probes websocket in parallel with the namespace CONNECT, so on loopback
        // the upgrade often completes first: "connect" reports whatever transport is current at that moment.
        assertThat(connect.path("transport").asText()).isIn("polling", "websocket");
        assertThat(clients.awaitUpgrade("a").path("transport").asText()).isEqualTo("websocket");

        assertThat(ack(clients.emitWithAck("a", "whoami")))
                .containsExactly(json(Map.of("id", connect.path("socketId").asText(), "name", "alice")));

        byte[] bytes = {0, 1, 2, (byte) 0xff, 'h', 'i'};
        List<JsonNode> echoed = ack(clients.emitWithAck("a", "echo", "text", 42, Map.of("nested", List.of(true)), bytes));
        assertThat(echoed).hasSize(4);
        assertThat(echoed.subList(0, 3)).containsExactly(json("text"), json(42), json(Map.of("nested", List.of(true))));
        assertThat(NodeClients.binary(echoed.get(3))).isEqualTo(bytes);

        assertThat(ack(clients.emitWithAck("a", "join", "r1"))).containsExactly(json("r1"));
        assertThat(ack(clients.emitWithAck("a", "say", Map.of("room", "r1", "text", "hello")))).containsExactly(json(true));
        assertThat(clients.awaitEvent("a", "said").path("args"))
                .containsExactly(json(Map.of("room", "r1", "name", "alice", "text", "hello")));
        assertThat(ack(clients.emitWithAck("a", "leave", "r1"))).containsExactly(json("r1"));
    }

    @Test
    void roomsReachOnlyTheirMembers() throws Exception {
        for (String id : List.of("a", "b", "c")) {
            clients.connect(id, server.url(), "/chat", Map.of("name", id), null);
        }
        // awaited in an order unrelated to arrival order
        clients.awaitConnect("c");
        clients.awaitConnect("a");
        clients.awaitConnect("b");
        ack(clients.emitWithAck("a", "join", "r1"));
        ack(clients.emitWithAck("b", "join", "r1"));
        ack(clients.emitWithAck("c", "join", "r2"));

        assertThat(ack(clients.emitWithAck("a", "say", Map.of("room", "r1", "text", "for r1")))).containsExactly(json(true));
        JsonNode r1Said = json(Map.of("room", "r1", "name", "a", "text", "for r1"));
        assertThat(clients.awaitEvent("b", "said").path("args")).containsExactly(r1Said);
        assertThat(clients.awaitEvent("a", "said").path("args")).containsExactly(r1Said);

        // The server handled a's say before acking it, and c's say only after that ack, so anything the server
        // had sent c for r1 would reach c (same connection, in order) before c's own r2 message.
        ack(clients.emitWithAck("c", "say", Map.of("room", "r2", "text", "for r2")));
        clients.awaitEvent("c", "said");
        assertThat(clients.received("c", "said")).extracting(line -> line.path("args"))
                .containsExactly(json(List.of(Map.of("room", "r2", "name", "c", "text", "for r2"))));
        assertThat(clients.received("a", "said")).hasSize(1);
        assertThat(clients.received("b", "said")).hasSize(1);
    }

    @Test
    void pollingOnlyClientWorks() throws Exception {
        clients.connect("p", server.url(), "/chat", null, Map.of("transports", List.of("polling")));
        assertThat(clients.awaitConnect("p").path("transport").asText()).isEqualTo("polling");
        assertThat(ack(clients.emitWithAck("p", "echo", "over polling", new byte[] {7}))).hasSize(2);
        assertThat(clients.lines()).noneMatch(line -> line.path("type").asText().equals("upgrade"));
    }

    @Test
    void websocketOnlyClientWorks() throws Exception {
        clients.connect("w", server.url(), "/chat", null, Map.of("transports", List.of("websocket")));
        assertThat(clients.awaitConnect("w").path("transport").asText()).isEqualTo("websocket");
        assertThat(ack(clients.emitWithAck("w", "whoami")).get(0).path("name").asText()).isEqualTo("anonymous");
    }

    @Test
    void unknownNamespaceYieldsConnectError() {
        clients.connect("x", server.url(), "/nope", null, null);
        JsonNode error = clients.awaitConnectError("x");
        assertThat(error.path("message").asText()).isEqualTo("Invalid namespace");

        // awaitConnect fails fast (no timeout) when the connect_error arrives instead
        clients.connect("y", server.url(), "/nope", null, null);
        assertThatThrownBy(() -> clients.awaitConnect("y"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected y to connect")
                .hasMessageContaining("Invalid namespace");
    }

    @Test
    void disconnectIsReported() {
        clients.connect("d", server.url(), "/chat", null, null);
        clients.awaitConnect("d");
        clients.disconnect("d");
        assertThat(clients.awaitDisconnect("d").path("reason").asText()).isEqualTo("io client disconnect");
    }

    @Test
    void missingAckCompletesWithTimeoutNamingTheEvent() {
        clients.connect("t", server.url(), "/chat", null, null);
        clients.awaitConnect("t");
        CompletableFuture<List<JsonNode>> future = clients.emitWithAck(Duration.ofMillis(300), "t", "no-such-handler");
        assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(TimeoutException.class).hasMessageContaining("no-such-handler");
    }

    @Test
    void serverRequestedAckCanBeAnswered() throws Exception {
        clients.connect("q", server.url(), "/chat", null, null);
        clients.awaitConnect("q");
        CompletableFuture<List<JsonNode>> answer = clients.emitWithAck("q", "ask", "ping?");
        JsonNode question = clients.awaitEvent("q", "question");
        assertThat(question.path("args")).containsExactly(json("ping?"));
        clients.answerAck("q", question.path("ackId").asLong(), "pong!");
        assertThat(ack(answer)).containsExactly(json("pong!"));
    }

    @Test
    void anotherNamespaceCanShareAConnection() throws Exception {
        clients.connect("s", server.url(), "/chat", Map.of("name", "sam"), null);
        JsonNode chat = clients.awaitConnect("s");
        clients.connectOnSameConnection("s-main", "s", "/", null);
        JsonNode main = clients.awaitConnect("s-main");
        assertThat(main.path("engineId").asText()).isNotEmpty().isEqualTo(chat.path("engineId").asText());
        assertThat(main.path("socketId").asText()).isNotEqualTo(chat.path("socketId").asText());

        // leaving one namespace keeps the connection and the other namespace
        clients.disconnect("s-main");
        assertThat(clients.awaitDisconnect("s-main").path("reason").asText()).isEqualTo("io client disconnect");
        assertThat(ack(clients.emitWithAck("s", "echo", "still here"))).containsExactly(json("still here"));

        clients.connectOnSameConnection("s-again", "s", "/chat", null);
        JsonNode error = clients.awaitEvent("error for s-again",
                line -> line.path("type").asText().equals("error") && line.path("id").asText().equals("s-again"),
                Duration.ofSeconds(10));
        assertThat(error.path("message").asText()).contains("already has /chat");
    }

    @Test
    void badCommandsAreReportedNotFatal() throws Exception {
        CompletableFuture<List<JsonNode>> future = clients.emitWithAck("ghost", "echo");
        assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
                .cause().isInstanceOf(IllegalStateException.class).hasMessageContaining("unknown id");
        clients.disconnect("ghost");
        JsonNode error = clients.awaitEvent("error for ghost",
                line -> line.path("type").asText().equals("error") && line.path("id").asText().equals("ghost"),
                Duration.ofSeconds(10));
        assertThat(error.path("message").asText()).contains("unknown id");
        // still alive
        clients.connect("ok", server.url(), "/chat", null, null);
        clients.awaitConnect("ok");
    }

    private static List<JsonNode> ack(CompletableFuture<List<JsonNode>> future) throws Exception {
        return future.get(15, TimeUnit.SECONDS);
    }

    private static JsonNode json(Object value) {
        return JSON.valueToTree(value);
    }
}
