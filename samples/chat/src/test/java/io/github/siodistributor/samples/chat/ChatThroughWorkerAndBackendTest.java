package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The official JavaScript client talks to the chat backend through a worker, each in its own
 * Spring context, over a real Redis.
 */
class ChatThroughWorkerAndBackendTest extends ChatClusterTestSupport {


    private static String url;

    @BeforeAll
    static void startCluster() {
        cluster = new ChatCluster();
        cluster.backend(FaultyHandler.class);
        ConfigurableApplicationContext worker = cluster.worker("w1", FaultyHandler.class);
        url = ChatCluster.url(worker);
    }

    @Test
    void defaultClientUpgradesGetsAcksAndRoomBroadcasts() throws Exception {
        clients.connect("alice", url, "/chat", Map.of("name", "alice"), null);
        clients.connect("bob", url, "/chat", Map.of("name", "bob"), null);
        clients.connect("carol", url, "/chat", Map.of("name", "carol"), null);
        for (String id : List.of("alice", "bob", "carol")) {
            clients.awaitConnect(id);
            // default settings start on polling; the upgrade line proves the switch to WebSocket
            assertThat(clients.awaitUpgrade(id).get("transport").asText()).isEqualTo("websocket");
        }

        JsonNode me = ack("alice", "whoami").get(0);
        assertThat(me.get("name").asText()).isEqualTo("alice");
        assertThat(me.get("id").asText()).startsWith("w1.");
        assertThat(ack("alice", "echo", 1, "two", Map.of("three", 3))).extracting(JsonNode::toString)
                .containsExactly("1", "\"two\"", "{\"three\":3}");

        assertThat(ack("alice", "join", "r1").get(0).asText()).isEqualTo("r1");
        assertThat(ack("bob", "join", "r1").get(0).asText()).isEqualTo("r1");
        assertThat(ack("carol", "join", "r2").get(0).asText()).isEqualTo("r2");

        assertThat(ack("alice", "say", Map.of("room", "r1", "text", "hello r1")).get(0).asBoolean()).isTrue();
        for (String id : List.of("alice", "bob")) {
            JsonNode said = clients.awaitEvent(id, "said").get("args").get(0);
            assertThat(said.get("room").asText()).isEqualTo("r1");
            assertThat(said.get("name").asText()).isEqualTo("alice");
            assertThat(said.get("text").asText()).isEqualTo("hello r1");
        }
        // alice's broadcast was published before her ack, so before carol's own broadcast below:
        // once carol has her own message, she would already have had alice's
        ack("carol", "say", Map.of("room", "r2", "text", "hello r2"));
        assertThat(clients.awaitEvent("carol", "said").get("args").get(0).get("text").asText()).isEqualTo("hello r2");
        assertThat(clients.received("carol", "said")).hasSize(1);
        assertThat(clients.received("bob", "said")).hasSize(1);

        assertThat(ack("bob", "leave", "r1").get(0).asText()).isEqualTo("r1");
        ack("alice", "say", Map.of("room", "r1", "text", "after bob left"));
        assertThat(clients.awaitEvent("alice", "said").get("args").get(0).get("text").asText())
                .isEqualTo("after bob left");
        ack("bob", "join", "r3");
        ack("bob", "say", Map.of("room", "r3", "text", "bob alone"));
        clients.awaitEvent("bob", "said");
        assertThat(clients.received("bob", "said")).extracting(line -> line.get("args").get(0).get("text").asText())
                .containsExactly("hello r1", "bob alone");
    }

    @Test
    void fiftyDefaultClientsAllUpgradeToWebSocket() throws Exception {
        int count = 50;
        for (int i = 0; i < count; i++) {
            clients.connect("c" + i, url, "/chat", Map.of("name", "c" + i), null);
        }
        List<CompletableFuture<List<JsonNode>>> echoes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            clients.awaitConnect("c" + i);
            assertThat(clients.awaitUpgrade("c" + i).get("transport").asText()).isEqualTo("websocket");
            echoes.add(clients.emitWithAck("c" + i, "echo", i));
        }
        for (int i = 0; i < count; i++) {
            assertThat(echoes.get(i).get(WAIT_SECONDS, TimeUnit.SECONDS).get(0).asInt()).isEqualTo(i);
        }
    }

    @Test
    void pollingOnlyAndWebSocketOnlyClientsWork() throws Exception {
        clients.connect("poll", url, "/chat", Map.of("name", "poll"), Map.of("transports", List.of("polling")));
        clients.connect("ws", url, "/chat", Map.of("name", "ws"), Map.of("transports", List.of("websocket")));
        assertThat(clients.awaitConnect("poll").get("transport").asText()).isEqualTo("polling");
        assertThat(clients.awaitConnect("ws").get("transport").asText()).isEqualTo("websocket");
        ack("poll", "join", "both");
        ack("ws", "join", "both");
        assertThat(ack("poll", "whoami").get(0).get("name").asText()).isEqualTo("poll");
        assertThat(ack("ws", "echo", "x", 2)).extracting(JsonNode::toString).containsExactly("\"x\"", "2");
        ack("ws", "say", Map.of("room", "both", "text", "from ws"));
        ack("poll", "say", Map.of("room", "both", "text", "from polling"));
        for (String id : List.of("poll", "ws")) {
            assertThat(List.of(clients.awaitEvent(id, "said"), clients.awaitEvent(id, "said")))
                    .extracting(line -> line.get("args").get(0).get("text").asText())
                    .containsExactlyInAnyOrder("from ws", "from polling");
        }
        assertThat(clients.lines()).noneMatch(line -> "upgrade".equals(line.path("type").asText())
                && "poll".equals(line.path("id").asText()));
    }

    @Test
    void unknownNamespaceGetsConnectError() {
        clients.connect("lost", url, "/no-such-namespace", Map.of(), null);
        JsonNode error = clients.awaitConnectError("lost");
        assertThat(error.get("message").asText()).isEqualTo("Invalid namespace");
    }

    @Test
    void failingHandlerAnswersWithAnErrorAndTheSocketStaysConnected() throws Exception {
        clients.connect("f", url, "/faulty", Map.of(), null);
        clients.awaitConnect("f");

        JsonNode internal = ack("f", "boom").get(0).get("error");
        assertThat(internal.get("event").asText()).isEqualTo("boom");
        assertThat(internal.get("message").asText()).isEqualTo("internal error");

        JsonNode rejected = ack("f", "reject", "too late").get(0).get("error");
        assertThat(rejected.get("message").asText()).isEqualTo("rejected: too late");

        JsonNode unknown = ack("f", "no-such-event").get(0).get("error");
        assertThat(unknown.get("message").asText()).contains("no handler for event 'no-such-event'");

        // without an ack the error arrives as an "error" event
        clients.emit("f", "boom");
        JsonNode event = clients.awaitEvent("f", "error").get("args").get(0);
        assertThat(event.get("event").asText()).isEqualTo("boom");

        assertThat(ack("f", "ok").get(0).asText()).isEqualTo("ok");
        assertThat(clients.lines()).noneMatch(line -> "disconnect".equals(line.path("type").asText()));
    }

    @Test
    void unansweredAcksAreBoundedPerSocketWithAClearError() throws Exception {
        clients.connect("greedy", url, "/faulty", Map.of(), null);
        clients.awaitConnect("greedy");
        for (int i = 0; i < 1024; i++) {
            clients.emitWithAck(Duration.ofSeconds(60), "greedy", "silent", i);
        }
        JsonNode refused = ack("greedy", "silent", "one too many").get(0).get("error");
        assertThat(refused.get("event").asText()).isEqualTo("silent");
        assertThat(refused.get("message").asText()).contains("limit 1024");
        // still connected: events without acks keep flowing
        clients.emit("greedy", "boom");
        assertThat(clients.awaitEvent("greedy", "error").get("args").get(0).get("event").asText()).isEqualTo("boom");
    }

    private List<JsonNode> ack(String id, String event, Object... args) throws Exception {
        return clients.emitWithAck(id, event, args).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }
}
