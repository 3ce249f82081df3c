package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.siodistributor.backend.IndirectNamespace;
import io.github.siodistributor.backend.IndirectServer;
import io.github.siodistributor.backend.RemoteSocket;
import io.github.siodistributor.backend.SocketArgs;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Dynamic namespaces ({@code @SocketNamespace("^/game-\\d+$")}, {@link GameHandler}) with real JavaScript
 * clients (default settings: long-polling, then WebSocket) on two workers and one backend:
 * <ul>
 *   <li>the workers serve every name the pattern matches, and the handler sees the concrete name;</li>
 *   <li>{@code server.of("/game-1").emit(...)} and broadcasts with ack reach the clients of that one
 *       namespace on both workers, none of a sibling namespace that shares the pattern (and its channel);</li>
 *   <li>rooms belong to one concrete namespace ({@code to(room)}, {@code allRooms()});</li>
 *   <li>names the pattern does not match as a whole get connect_error "Invalid namespace";</li>
 *   <li>{@code fetchSockets()} of one concrete namespace returns its sockets only;</li>
 *   <li>a backend that does not handle the pattern reaches the sockets of a dynamic namespace one by one,
 *       while its namespace-wide calls find nothing (the limit docs/api.md states).</li>
 * </ul>
 * Each test uses namespace numbers of its own, so that sockets of earlier tests cannot blur the results.
 */
class DynamicNamespaceTest extends ChatClusterTestSupport {

    private static ConfigurableApplicationContext backend;
    /** A backend that does not handle the pattern (it handles /chat only). */
    private static ConfigurableApplicationContext chatOnlyBackend;
    private static String url1;
    private static String url2;

    @BeforeAll
    static void startCluster() {
        cluster = new ChatCluster("dyntest");
        backend = cluster.backend(GameHandler.class);
        chatOnlyBackend = cluster.backend();
        url1 = ChatCluster.url(cluster.worker("w1", GameHandler.class));
        url2 = ChatCluster.url(cluster.worker("w2", GameHandler.class));
    }

    @Test
    void clientsConnectToNamesThePatternMatchesAndTheHandlerSeesTheConcreteName() throws Exception {
        clients.connect("a", url1, "/game-1");
        clients.connect("b", url2, "/game-2");
        clients.connect("c", url2, "/game-1");
        String a = clients.awaitConnect("a").get("socketId").asText();
        String b = clients.awaitConnect("b").get("socketId").asText();
        String c = clients.awaitConnect("c").get("socketId").asText();
        assertThat(a).startsWith("w1.");
        assertThat(b).startsWith("w2.");
        assertThat(c).startsWith("w2.");

        // the connect handler's greeting names the namespace
        assertThat(clients.awaitEvent("a", "welcome").get("args").get(0).asText()).isEqualTo("/game-1");
        assertThat(clients.awaitEvent("b", "welcome").get("args").get(0).asText()).isEqualTo("/game-2");
        assertThat(clients.awaitEvent("c", "welcome").get("args").get(0).asText()).isEqualTo("/game-1");

        assertThat(where("a")).isEqualTo(List.of("/game-1", a));
        assertThat(where("b")).isEqualTo(List.of("/game-2", b));
        assertThat(where("c")).isEqualTo(List.of("/game-1", c));
    }

    @Test
    void anEmitToOneNamespaceReachesItsClientsOnBothWorkersAndNoSibling() throws Exception {
        clients.connect("a", url1, "/game-5");
        clients.connect("b", url2, "/game-6");
        clients.connect("c", url2, "/game-5");
        clients.connect("d", url1, "/game-6");
        for (String id : List.of("a", "b", "c", "d")) {
            clients.awaitConnect(id);
        }
        IndirectServer server = backend.getBean(IndirectServer.class);

        server.of("/game-5").emit("news", "for five");
        // published after "news" on the same (pattern's) channel: once a client of /game-6 has it, its
        // worker has handled "news" already
        server.of("/game-6").emit("marker");
        server.of("/game-5").emit("marker");
        for (String id : List.of("a", "b", "c", "d")) {
            clients.awaitEvent(id, "marker");
        }
        assertThat(clients.received("a", "news")).hasSize(1)
                .allSatisfy(line -> assertThat(line.get("args").get(0).asText()).isEqualTo("for five"));
        assertThat(clients.received("c", "news")).hasSize(1);
        assertThat(clients.received("b", "news")).isEmpty();
        assertThat(clients.received("d", "news")).isEmpty();
    }

    @Test
    void aBroadcastWithAckCollectsTheAnswersOfOneNamespaceOnly() throws Exception {
        clients.connect("a", url1, "/game-7");
        clients.connect("b", url2, "/game-7");
        clients.connect("other", url2, "/game-8");
        for (String id : List.of("a", "b", "other")) {
            clients.awaitConnect(id);
        }
        IndirectNamespace seven = backend.getBean(IndirectServer.class).of("/game-7");

        CompletableFuture<List<SocketArgs>> answers = seven.timeout(Duration.ofSeconds(WAIT_SECONDS)).emitWithAck("vote?");
        for (String id : List.of("a", "b")) {
            JsonNode asked = clients.awaitEvent(id, "vote?");
            clients.answerAck(id, asked.get("ackId").asLong(), "yes from " + id);
        }
        assertThat(answers.get(WAIT_SECONDS, TimeUnit.SECONDS)).extracting(args -> args.get(0, String.class))
                .containsExactlyInAnyOrder("yes from a", "yes from b");

        backend.getBean(IndirectServer.class).of("/game-8").emit("marker");
        clients.awaitEvent("other", "marker");
        assertThat(clients.received("other", "vote?")).isEmpty();
    }

    @Test
    void roomsBelongToOneConcreteNamespace() throws Exception {
        clients.connect("a", url1, "/game-11");
        clients.connect("b", url2, "/game-12");
        clients.connect("c", url2, "/game-11");
        for (String id : List.of("a", "b", "c")) {
            clients.awaitConnect(id);
        }
        // a room of the same name in two namespaces of one pattern, on two workers
        clients.emitWithAck("a", "join", "lobby").get(WAIT_SECONDS, TimeUnit.SECONDS);
        clients.emitWithAck("b", "join", "lobby").get(WAIT_SECONDS, TimeUnit.SECONDS);
        clients.emitWithAck("c", "join", "side").get(WAIT_SECONDS, TimeUnit.SECONDS);
        IndirectServer server = backend.getBean(IndirectServer.class);

        server.of("/game-11").to("lobby").emit("lobby-news", 11);
        // from a handler: the sender's own namespace
        clients.emitWithAck("b", "tell", "lobby", "from twelve").get(WAIT_SECONDS, TimeUnit.SECONDS);
        server.of("/game-11").emit("marker");
        server.of("/game-12").emit("marker");
        for (String id : List.of("a", "b", "c")) {
            clients.awaitEvent(id, "marker");
        }
        assertThat(clients.received("a", "lobby-news")).hasSize(1);
        assertThat(clients.received("b", "lobby-news")).isEmpty();
        assertThat(clients.received("c", "lobby-news")).isEmpty();
        assertThat(clients.received("b", "told")).hasSize(1)
                .allSatisfy(line -> assertThat(line.get("args").get(0).asText()).isEqualTo("from twelve"));
        assertThat(clients.received("a", "told")).isEmpty();

        assertThat(server.of("/game-11").allRooms().get(WAIT_SECONDS, TimeUnit.SECONDS))
                .containsExactlyInAnyOrder("lobby", "side");
        assertThat(server.of("/game-12").allRooms().get(WAIT_SECONDS, TimeUnit.SECONDS)).containsExactly("lobby");
    }

    @Test
    void namesThePatternDoesNotMatchAsAWholeAreInvalid() {
        List<String> invalid = List.of("/gamex", "/game-", "/game-1x", "/my/game-1", "/game");
        for (int i = 0; i < invalid.size(); i++) {
            clients.connect("bad" + i, i % 2 == 0 ? url1 : url2, invalid.get(i));
        }
        for (int i = 0; i < invalid.size(); i++) {
            assertThat(clients.awaitConnectError("bad" + i).get("message").asText())
                    .as("connect_error for %s", invalid.get(i)).isEqualTo("Invalid namespace");
        }
    }

    @Test
    void fetchSocketsOfOneNamespaceReturnsItsSocketsOnly() throws Exception {
        clients.connect("a", url1, "/game-21");
        clients.connect("b", url2, "/game-22");
        clients.connect("c", url2, "/game-21");
        clients.connect("d", url1, "/game-22");
        String a = clients.awaitConnect("a").get("socketId").asText();
        String b = clients.awaitConnect("b").get("socketId").asText();
        String c = clients.awaitConnect("c").get("socketId").asText();
        String d = clients.awaitConnect("d").get("socketId").asText();
        clients.emitWithAck("b", "join", "team").get(WAIT_SECONDS, TimeUnit.SECONDS);
        IndirectServer server = backend.getBean(IndirectServer.class);

        List<RemoteSocket> of22 = server.of("/game-22").fetchSockets().get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(of22).extracting(RemoteSocket::id).containsExactlyInAnyOrder(b, d);
        assertThat(of22).allSatisfy(socket -> assertThat(socket.namespace().name()).isEqualTo("/game-22"));
        RemoteSocket fetchedB = of22.stream().filter(socket -> socket.id().equals(b)).findFirst().orElseThrow();
        assertThat(fetchedB.rooms()).isEqualTo(Set.of(b, "team"));

        assertThat(server.of("/game-21").fetchSockets().get(WAIT_SECONDS, TimeUnit.SECONDS))
                .extracting(RemoteSocket::id).containsExactlyInAnyOrder(a, c);
        assertThat(server.of("/game-22").in("team").fetchSockets().get(WAIT_SECONDS, TimeUnit.SECONDS))
                .extracting(RemoteSocket::id).containsExactly(b);
        // a name of the pattern that nobody uses: every worker answers, with nothing
        assertThat(server.of("/game-999").fetchSockets().get(WAIT_SECONDS, TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void aBackendWithoutThePatternReachesSocketsOfADynamicNamespaceOnlyOneByOne() throws Exception {
        clients.connect("a", url1, "/game-41");
        String a = clients.awaitConnect("a").get("socketId").asText();
        IndirectNamespace fromElsewhere = chatOnlyBackend.getBean(IndirectServer.class).of("/game-41");

        // per-socket calls go to the owning worker, whoever sends them
        fromElsewhere.socket(a).emit("from-elsewhere", 41);
        assertThat(clients.awaitEvent("a", "from-elsewhere").get("args").get(0).asInt()).isEqualTo(41);
        // the documented limit (docs/api.md, "Not supported"): namespace-wide calls use the name's channel,
        // where no worker listens, so a fetch finds nothing, at once
        assertThat(fromElsewhere.fetchSockets().get(5, TimeUnit.SECONDS)).isEmpty();
        assertThat(backend.getBean(IndirectServer.class).of("/game-41").fetchSockets()
                .get(WAIT_SECONDS, TimeUnit.SECONDS)).extracting(RemoteSocket::id).containsExactly(a);
    }

    /** The handler's view of client {@code id}: [namespace, socket id]. */
    private List<String> where(String id) throws Exception {
        JsonNode answer = clients.emitWithAck(id, "where").get(WAIT_SECONDS, TimeUnit.SECONDS).get(0);
        return List.of(answer.get("namespace").asText(), answer.get("id").asText());
    }
}
