package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.siodistributor.backend.IncompleteAcksException;
import io.github.siodistributor.backend.IndirectNamespace;
import io.github.siodistributor.backend.IndirectServer;
import io.github.siodistributor.backend.RemoteSocket;
import io.github.siodistributor.backend.SocketArgs;
import io.github.siodistributor.core.transport.DroppedMessages;
import io.github.siodistributor.core.transport.DroppedMessages.Cause;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The cluster API of the indirect namespace (Socket.IO's Redis-adapter features), driven from one backend
 * against official JavaScript clients with default settings (long-polling, then the WebSocket upgrade),
 * spread over two workers, with a non-default channel prefix. Covered, each across both workers:
 * <ul>
 * <li>broadcast with ack: {@code to(room).timeout(d).emitWithAck} completes with every client's answer; with
 * no matching client (the whole namespace or an empty room) it completes at once with no answers;</li>
 * <li>a client that never answers: {@link IncompleteAcksException} with {@code timedOut()}, the answers that
 * came and the number of clients asked; its late answer is dropped and counted as
 * {@link Cause#LATE_REPLY}, and the future completes once;</li>
 * <li>a client that disconnects before answering: {@link IncompleteAcksException} without
 * {@code timedOut()}, long before the timeout;</li>
 * <li>{@code asVolatile()} and {@code compress(false)} emits reach idle upgraded clients, {@code except}
 * still applies;</li>
 * <li>{@code fetchSockets()} of the namespace and of {@code in(room).except(room2)}: ids, handshake (query
 * and auth), rooms with the socket's own room, data set by a handler read back as a record; emitting to
 * a fetched socket;</li>
 * <li>{@code socketsJoin} / {@code socketsLeave} on a selection, seen by a room broadcast and by
 * fetchSockets;</li>
 * <li>{@code disconnectSockets()} of a room (clients see "io server disconnect", the backend "server
 * namespace disconnect", the others stay); {@code disconnectSockets(true)} and
 * {@code socket.disconnect(true)} end the whole connection of a client that multiplexes {@code /cluster}
 * and {@code /chat} over one Engine.IO session;</li>
 * <li>{@code allRooms()}: the union of both workers' rooms, without the sockets' own rooms;</li>
 * <li>{@code socket.to(room).emit} from a handler: the room but the sender.</li>
 * </ul>
 * Every test starts with an empty {@code /cluster} namespace (see {@link #emptyTheNamespace()}).
 */
class ClusterApiTest extends ChatClusterTestSupport {

    private static final String NS = "/cluster";
    private static final Duration WAIT = Duration.ofSeconds(WAIT_SECONDS);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ConfigurableApplicationContext backend;
    private static String url1;
    private static String url2;

    private final AtomicLong markers = new AtomicLong();

    @BeforeAll
    static void startCluster() {
        cluster = new ChatCluster("clustertest");
        backend = cluster.backend(ClusterApiHandler.class);
        url1 = ChatCluster.url(cluster.worker("w1", ClusterApiHandler.class));
        url2 = ChatCluster.url(cluster.worker("w2", ClusterApiHandler.class));
    }

    /**
     * Ends every connection that has a socket in {@code /cluster} (runs before the driver is closed) and waits
     * until neither worker holds one: namespace-wide results of the next test see only its own clients.
     */
    @AfterEach
    void emptyTheNamespace() {
        ns().disconnectSockets(true);
        await("an empty " + NS).atMost(WAIT).until(() -> ns().fetchSockets().get(WAIT_SECONDS, TimeUnit.SECONDS)
                .isEmpty());
    }

    // ------------------------------------------------------------------ broadcast with ack

    @Test
    void aRoomEmitWithAckCompletesWithTheAnswerOfEveryClientOnBothWorkers() throws Exception {
        // nobody connected: every worker reports zero clients asked, no need to wait for the timeout
        assertThat(ns().timeout(Duration.ofSeconds(60)).emitWithAck("anyone?").get(WAIT_SECONDS, TimeUnit.SECONDS))
                .isEmpty();

        connect("a", url1);
        connect("b", url2);
        connect("c", url2);
        connect("outsider", url1);
        join("quiz", "a", "b", "c");
        assertThat(ns().to("nobody-here").timeout(Duration.ofSeconds(60)).emitWithAck("anyone?")
                .get(WAIT_SECONDS, TimeUnit.SECONDS)).isEmpty();

        CompletableFuture<List<SocketArgs>> answers = ns().to("quiz").timeout(WAIT).emitWithAck("question", 6, 7);
        for (String id : List.of("a", "b", "c")) {
            JsonNode question = clients.awaitEvent(id, "question");
            assertThat(question.get("args").toString()).isEqualTo("[6,7]");
            clients.answerAck(id, question.get("ackId").asLong(), "answer from " + id, 42);
        }

        assertThat(answers.get(WAIT_SECONDS, TimeUnit.SECONDS)).extracting(SocketArgs::json)
                .containsExactlyInAnyOrder("[\"answer from a\",42]", "[\"answer from b\",42]",
                        "[\"answer from c\",42]");
        markerTo("a", "b", "c", "outsider");
        assertThat(clients.received("outsider", "question")).isEmpty();
    }

    @Test
    void aClientThatNeverAnswersTimesTheBroadcastOutAndItsLateAnswerIsDroppedAndCounted() throws Exception {
        connect("a", url1);
        connect("b", url2);
        connect("silent", url2);
        join("poll", "a", "b", "silent");
        DroppedMessages dropped = backend.getBean(DroppedMessages.class);
        long lateBefore = dropped.count(Cause.LATE_REPLY);

        CompletableFuture<List<SocketArgs>> answers = ns().to("poll").timeout(Duration.ofSeconds(4))
                .emitWithAck("vote?");
        AtomicInteger completions = new AtomicInteger();
        answers.whenComplete((value, failure) -> completions.incrementAndGet());
        for (String id : List.of("a", "b")) {
            JsonNode ask = clients.awaitEvent(id, "vote?");
            clients.answerAck(id, ask.get("ackId").asLong(), "yes from " + id);
        }
        JsonNode unanswered = clients.awaitEvent("silent", "vote?");

        IncompleteAcksException incomplete = incompleteAcks(answers);
        assertThat(incomplete.timedOut()).isTrue();
        assertThat(incomplete.expected()).isEqualTo(3);
        assertThat(incomplete.responses()).extracting(SocketArgs::json)
                .containsExactlyInAnyOrder("[\"yes from a\"]", "[\"yes from b\"]");
        assertThat(incomplete).hasMessageContaining("2 of 3").hasMessageContaining("'vote?'");

        clients.answerAck("silent", unanswered.get("ackId").asLong(), "too late");
        await("the late answer counted").atMost(WAIT)
                .until(() -> dropped.count(Cause.LATE_REPLY) == lateBefore + 1);
        // get() returns as soon as the future completes, possibly before the callback above has run
        await("the completion callback").atMost(WAIT).untilAsserted(() -> assertThat(completions).hasValue(1));
        assertThat(incompleteAcks(answers)).isSameAs(incomplete);
        assertThat(incomplete.responses()).hasSize(2);
    }

    @Test
    void aClientThatDisconnectsBeforeAnsweringFailsTheBroadcastBeforeTheTimeout() throws Exception {
        connect("a", url1);
        String leaverId = connect("leaver", url2);
        join("pair", "a", "leaver");

        long started = System.nanoTime();
        CompletableFuture<List<SocketArgs>> answers = ns().to("pair").timeout(Duration.ofSeconds(120))
                .emitWithAck("still there?");
        JsonNode ask = clients.awaitEvent("a", "still there?");
        clients.awaitEvent("leaver", "still there?");
        clients.answerAck("a", ask.get("ackId").asLong(), "here");
        clients.disconnect("leaver");

        IncompleteAcksException incomplete = incompleteAcks(answers);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(60));
        assertThat(incomplete.timedOut()).isFalse();
        assertThat(incomplete.expected()).isEqualTo(2);
        assertThat(incomplete.responses()).extracting(SocketArgs::json).containsExactly("[\"here\"]");
        assertThat(incomplete).hasMessageContaining(leaverId).hasMessageContaining("disconnected");
    }

    // ------------------------------------------------------------------ emit flags

    @Test
    void volatileAndUncompressedEmitsReachIdleUpgradedClientsAndExceptStillApplies() throws Exception {
        connect("a", url1);
        connect("b", url2);
        connect("quiet", url2);
        for (String id : List.of("a", "b", "quiet")) {
            assertThat(clients.awaitUpgrade(id).get("transport").asText()).isEqualTo("websocket");
        }
        // sent over the WebSocket after the upgrade packet: once acked, each worker has switched transports
        join("hush", "quiet");
        join("loud", "a", "b");

        ns().asVolatile().emit("volatile-all", 1);
        ns().compress(false).emit("uncompressed-all", 2);
        ns().asVolatile().except("hush").emit("volatile-but-hush", 3);
        ns().compress(false).except("hush").emit("uncompressed-but-hush", 4);
        ns().to("loud").asVolatile().compress(false).emit("volatile-uncompressed-loud", 5);
        markerTo("a", "b", "quiet");

        List<String> all = List.of("volatile-all", "uncompressed-all", "volatile-but-hush", "uncompressed-but-hush",
                "volatile-uncompressed-loud");
        assertThat(events("a")).containsExactlyElementsOf(all);
        assertThat(events("b")).containsExactlyElementsOf(all);
        assertThat(events("quiet")).containsExactly("volatile-all", "uncompressed-all");
        assertThat(clients.received("a", "volatile-all").get(0).get("args").toString()).isEqualTo("[1]");
        assertThat(clients.received("b", "uncompressed-but-hush").get(0).get("args").toString()).isEqualTo("[4]");
    }

    // ------------------------------------------------------------------ fetchSockets

    @Test
    void fetchSocketsReturnsIdsHandshakeRoomsAndDataFromBothWorkersAndActsOnThem() throws Exception {
        String annId = connect("ann", url1, Map.of("name", "ann"), Map.of("query", Map.of("tag", "alpha")));
        String bobId = connect("bob", url2, Map.of("name", "bob"), Map.of("query", Map.of("tag", "beta")));
        String cyId = connect("cy", url2, Map.of("name", "cy"), Map.of("query", Map.of("tag", "gamma")));
        join("red", "ann", "bob");
        join("blue", "bob", "cy");
        clients.emitWithAck("ann", "profile", Map.of("name", "Ann", "level", 3)).get(WAIT_SECONDS, TimeUnit.SECONDS);
        clients.emitWithAck("bob", "profile", Map.of("name", "Bob", "level", 5)).get(WAIT_SECONDS, TimeUnit.SECONDS);

        Map<String, RemoteSocket> all = byId(ns().fetchSockets().get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertThat(all.keySet()).containsExactlyInAnyOrder(annId, bobId, cyId);
        assertThat(all.get(annId).rooms()).containsExactlyInAnyOrder(annId, "red");
        assertThat(all.get(bobId).rooms()).containsExactlyInAnyOrder(bobId, "red", "blue");
        assertThat(all.get(cyId).rooms()).containsExactlyInAnyOrder(cyId, "blue");
        assertThat(all.get(annId).data(ClusterApiHandler.Profile.class))
                .isEqualTo(new ClusterApiHandler.Profile("Ann", 3));
        assertThat(all.get(bobId).data(ClusterApiHandler.Profile.class))
                .isEqualTo(new ClusterApiHandler.Profile("Bob", 5));
        assertThat(all.get(cyId).data(ClusterApiHandler.Profile.class)).isNull();
        assertThat(all.get(cyId).data()).isNull();
        for (var entry : Map.of(annId, "ann", bobId, "bob", cyId, "cy").entrySet()) {
            RemoteSocket remote = all.get(entry.getKey());
            assertThat(remote.id()).isEqualTo(entry.getKey());
            assertThat(remote.namespace().name()).isEqualTo(NS);
            assertThat(JSON.readTree(remote.handshake().auth()).get("name").asText()).isEqualTo(entry.getValue());
        }
        assertThat(all.get(annId).handshake().queryParameter("tag")).isEqualTo("alpha");
        assertThat(all.get(bobId).handshake().queryParameter("tag")).isEqualTo("beta");
        assertThat(all.get(annId).handshake().header("host")).isEqualTo(url1.substring("http://".length()));
        assertThat(all.get(bobId).handshake().header("host")).isEqualTo(url2.substring("http://".length()));

        List<RemoteSocket> redNotBlue = ns().in("red").except("blue").fetchSockets().get(WAIT_SECONDS,
                TimeUnit.SECONDS);
        assertThat(redNotBlue).extracting(RemoteSocket::id).containsExactly(annId);
        RemoteSocket ann = redNotBlue.get(0);
        assertThat(ann.rooms()).containsExactlyInAnyOrder(annId, "red");
        assertThat(ann.data(ClusterApiHandler.Profile.class)).isEqualTo(new ClusterApiHandler.Profile("Ann", 3));
        assertThat(ann.handshake().queryParameter("tag")).isEqualTo("alpha");
        assertThat(ns().in("blue").except("red").fetchSockets().get(WAIT_SECONDS, TimeUnit.SECONDS))
                .extracting(RemoteSocket::id).containsExactly(cyId);

        // a fetched socket is a handle: act on the one on the other worker too
        ann.emit("direct", "to ann");
        RemoteSocket cy = all.get(cyId);
        cy.join("green");
        ns().to("green").emit("green-news");
        assertThat(clients.awaitEvent("ann", "direct").get("args").toString()).isEqualTo("[\"to ann\"]");
        clients.awaitEvent("cy", "green-news");
        markerTo("ann", "bob", "cy");
        assertThat(clients.received("bob", "direct")).isEmpty();
        assertThat(clients.received("cy", "direct")).isEmpty();
        assertThat(clients.received("ann", "green-news")).isEmpty();
        assertThat(clients.received("bob", "green-news")).isEmpty();
    }

    // ------------------------------------------------------------------ socketsJoin / socketsLeave

    @Test
    void socketsJoinAndSocketsLeaveMoveTheSelectedSocketsOnBothWorkers() throws Exception {
        String aId = connect("a", url1);
        String bId = connect("b", url2);
        String cId = connect("c", url1);
        String dId = connect("d", url2);
        join("red", "a", "b", "c");
        join("blue", "c", "d");

        ns().in("red").except("blue").socketsJoin("vip", "gold");
        ns().to("vip").emit("vip-news", 1);
        markerTo("a", "b", "c", "d");
        assertThat(clients.received("a", "vip-news")).hasSize(1);
        assertThat(clients.received("b", "vip-news")).hasSize(1);
        assertThat(clients.received("c", "vip-news")).isEmpty();
        assertThat(clients.received("d", "vip-news")).isEmpty();
        Map<String, RemoteSocket> sockets = byId(ns().fetchSockets().get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertThat(sockets.get(aId).rooms()).containsExactlyInAnyOrder(aId, "red", "vip", "gold");
        assertThat(sockets.get(bId).rooms()).containsExactlyInAnyOrder(bId, "red", "vip", "gold");
        assertThat(sockets.get(cId).rooms()).containsExactlyInAnyOrder(cId, "red", "blue");
        assertThat(sockets.get(dId).rooms()).containsExactlyInAnyOrder(dId, "blue");

        // a (worker 1) leaves, b (worker 2) stays; gold goes for everyone, also where nobody had it
        ns().in(aId).socketsLeave("vip");
        ns().socketsLeave("gold");
        ns().to("vip").emit("vip-news", 2);
        ns().to("gold").emit("gold-news");
        markerTo("a", "b", "c", "d");
        assertThat(clients.received("a", "vip-news")).hasSize(1);
        assertThat(clients.received("b", "vip-news")).extracting(line -> line.get("args").toString())
                .containsExactly("[1]", "[2]");
        for (String id : List.of("a", "b", "c", "d")) {
            assertThat(clients.received(id, "gold-news")).isEmpty();
        }
        assertThat(ns().in("vip").fetchSockets().get(WAIT_SECONDS, TimeUnit.SECONDS)).extracting(RemoteSocket::id)
                .containsExactly(bId);
        sockets = byId(ns().fetchSockets().get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertThat(sockets.get(aId).rooms()).containsExactlyInAnyOrder(aId, "red");
        assertThat(sockets.get(bId).rooms()).containsExactlyInAnyOrder(bId, "red", "vip");
    }

    // ------------------------------------------------------------------ disconnectSockets

    @Test
    void disconnectSocketsOfARoomDisconnectsOnlyThoseOnBothWorkers() throws Exception {
        String aId = connect("a", url1);
        String bId = connect("b", url2);
        String cId = connect("c", url1);
        String dId = connect("d", url2);
        join("doomed", "a", "b");

        ns().in("doomed").disconnectSockets();

        assertThat(clients.awaitDisconnect("a").get("reason").asText()).isEqualTo("io server disconnect");
        assertThat(clients.awaitDisconnect("b").get("reason").asText()).isEqualTo("io server disconnect");
        ClusterApiHandler handler = backend.getBean(ClusterApiHandler.class);
        await("the backend sees both leave").atMost(WAIT).until(() -> handler.disconnectReasons.keySet()
                .containsAll(List.of(aId, bId)));
        assertThat(handler.disconnectReasons.get(aId)).isEqualTo("server namespace disconnect");
        assertThat(handler.disconnectReasons.get(bId)).isEqualTo("server namespace disconnect");
        markerTo("c", "d");
        assertThat(ns().fetchSockets().get(WAIT_SECONDS, TimeUnit.SECONDS)).extracting(RemoteSocket::id)
                .containsExactlyInAnyOrder(cId, dId);
        assertThat(disconnectLines("c", "d")).isEmpty();
        assertThat(handler.disconnectReasons).doesNotContainKeys(cId, dId);
    }

    @Test
    void disconnectSocketsWithCloseAndSocketDisconnectWithCloseEndTheWholeConnection() throws Exception {
        // three clients, each with /cluster and /chat multiplexed over one Engine.IO connection
        String mId = connect("m", url1);
        String kId = connect("k", url2);
        connect("n", url2);
        Map<String, String> engines = Map.of("m", engineOf("m"), "k", engineOf("k"), "n", engineOf("n"));
        for (String id : List.of("m", "k", "n")) {
            clients.connectOnSameConnection(id + "-chat", id, "/chat", null);
            assertThat(clients.awaitConnect(id + "-chat").get("engineId").asText()).isEqualTo(engines.get(id));
        }
        join("leaving", "m");
        ClusterApiHandler handler = backend.getBean(ClusterApiHandler.class);

        ns().in("leaving").disconnectSockets(true);
        assertThat(clients.awaitDisconnect("m").get("reason").asText()).isEqualTo("io server disconnect");
        assertThat(clients.awaitDisconnect("m-chat").get("reason").asText())
                .isEqualTo("io server disconnect");

        ns().socket(kId).disconnect(true);
        assertThat(clients.awaitDisconnect("k").get("reason").asText()).isEqualTo("io server disconnect");
        assertThat(clients.awaitDisconnect("k-chat").get("reason").asText())
                .isEqualTo("io server disconnect");

        await("the backend sees both leave").atMost(WAIT).until(() -> handler.disconnectReasons.keySet()
                .containsAll(List.of(mId, kId)));
        assertThat(handler.disconnectReasons.get(mId)).isEqualTo("server namespace disconnect");
        assertThat(handler.disconnectReasons.get(kId)).isEqualTo("server namespace disconnect");
        // n keeps both namespaces
        assertThat(clients.emitWithAck("n-chat", "whoami").get(WAIT_SECONDS, TimeUnit.SECONDS).get(0)
                .get("id").asText()).isEqualTo(clients.lines().stream()
                        .filter(line -> "connect".equals(line.path("type").asText())
                                && "n-chat".equals(line.path("id").asText()))
                        .findFirst().orElseThrow().get("socketId").asText());
        markerTo("n");
        assertThat(disconnectLines("n", "n-chat")).isEmpty();
    }

    // ------------------------------------------------------------------ allRooms

    @Test
    void allRoomsIsTheUnionOfBothWorkersRoomsWithoutTheSocketsOwnRooms() throws Exception {
        assertThat(ns().allRooms().get(WAIT_SECONDS, TimeUnit.SECONDS)).isEmpty();
        connect("a", url1);
        connect("b", url2);
        connect("c", url2);
        join("only-on-1", "a");
        join("only-on-2", "b");
        join("on-both", "a", "c");

        assertThat(ns().allRooms().get(WAIT_SECONDS, TimeUnit.SECONDS))
                .containsExactlyInAnyOrder("only-on-1", "only-on-2", "on-both");
    }

    // ------------------------------------------------------------------ socket.to(room)

    @Test
    void aHandlersSocketToRoomReachesTheRoomButTheSenderOnBothWorkers() throws Exception {
        String senderId = connect("sender", url1);
        connect("mate1", url1);
        connect("mate2", url2);
        connect("stranger", url2);
        join("team", "sender", "mate1", "mate2");

        assertThat(clients.emitWithAck("sender", "shout", Map.of("room", "team", "text", "go!"))
                .get(WAIT_SECONDS, TimeUnit.SECONDS).get(0).asBoolean()).isTrue();

        for (String id : List.of("mate1", "mate2")) {
            assertThat(clients.awaitEvent(id, "shouted").get("args").toString())
                    .isEqualTo("[\"go!\",\"" + senderId + "\"]");
        }
        markerTo("sender", "mate1", "mate2", "stranger");
        assertThat(clients.received("sender", "shouted")).isEmpty();
        assertThat(clients.received("stranger", "shouted")).isEmpty();
        assertThat(clients.received("mate1", "shouted")).hasSize(1);
        assertThat(clients.received("mate2", "shouted")).hasSize(1);
    }

    // ------------------------------------------------------------------ helpers

    private static IndirectNamespace ns() {
        return backend.getBean(IndirectServer.class).of(NS);
    }

    /** Connects {@code id} to /cluster with default settings and returns its socket id. */
    private String connect(String id, String url) {
        return connect(id, url, null, null);
    }

    private String connect(String id, String url, Map<String, ?> auth, Map<String, ?> options) {
        clients.connect(id, url, NS, auth, options);
        return clients.awaitConnect(id).get("socketId").asText();
    }

    private String engineOf(String id) {
        return clients.lines().stream().filter(line -> "connect".equals(line.path("type").asText())
                && id.equals(line.path("id").asText())).findFirst().orElseThrow().get("engineId").asText();
    }

    /** Each client joins the room through the handler; once acked, its worker has it in the room. */
    private void join(String room, String... ids) throws Exception {
        for (String id : ids) {
            assertThat(clients.emitWithAck(id, "join", room).get(WAIT_SECONDS, TimeUnit.SECONDS).get(0).asText())
                    .isEqualTo(room);
        }
    }

    /**
     * Emits a fresh marker to the whole namespace and waits until these clients have it: every emit
     * published before it has reached them by then, so what they did not get, they will not get.
     */
    private void markerTo(String... ids) {
        String marker = "marker-" + markers.incrementAndGet();
        ns().emit(marker);
        for (String id : ids) {
            clients.awaitEvent(id, marker);
        }
    }

    /** The events this client received, markers left out. */
    private List<String> events(String id) {
        return clients.lines().stream()
                .filter(line -> "event".equals(line.path("type").asText()) && id.equals(line.path("id").asText()))
                .map(line -> line.get("event").asText()).filter(event -> !event.startsWith("marker-")).toList();
    }

    private List<JsonNode> disconnectLines(String... ids) {
        Set<String> wanted = Set.of(ids);
        return clients.lines().stream().filter(line -> "disconnect".equals(line.path("type").asText())
                && wanted.contains(line.path("id").asText())).toList();
    }

    private static Map<String, RemoteSocket> byId(List<RemoteSocket> sockets) {
        assertThat(sockets).extracting(RemoteSocket::id).doesNotHaveDuplicates();
        return sockets.stream().collect(Collectors.toMap(RemoteSocket::id, Function.identity()));
    }

    /** The future's failure, which must be an {@link IncompleteAcksException}. */
    private static IncompleteAcksException incompleteAcks(CompletableFuture<?> future) throws Exception {
        try {
            Object value = future.get(WAIT_SECONDS, TimeUnit.SECONDS);
            throw new AssertionError("expected IncompleteAcksException, but completed with " + value);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(IncompleteAcksException.class);
            return (IncompleteAcksException) e.getCause();
        }
    }
}
