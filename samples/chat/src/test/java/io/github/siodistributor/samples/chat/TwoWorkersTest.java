package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.siodistributor.backend.IndirectServer;
import io.github.siodistributor.backend.runtime.DistributorBackend;
import io.github.siodistributor.core.protocol.Message.EmitToSocket;
import io.github.siodistributor.core.protocol.MessageCodec;
import io.github.siodistributor.core.protocol.Payload;
import io.github.siodistributor.core.transport.DroppedMessages.Cause;
import io.github.siodistributor.core.transport.DroppedMessages;
import io.github.siodistributor.core.worker.DistributorWorker;
import io.github.siodistributor.core.worker.WorkerStats;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.socket.client.IO;
import io.socket.client.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.json.JSONObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/** Two workers and a backend on one Redis: routing, the Java client, and garbage on the channels. */
class TwoWorkersTest extends ChatClusterTestSupport {


    private static ConfigurableApplicationContext backend;
    private static ConfigurableApplicationContext worker1;
    private static ConfigurableApplicationContext worker2;

    @BeforeAll
    static void startCluster() {
        cluster = new ChatCluster();
        backend = cluster.backend();
        worker1 = cluster.worker("w1");
        worker2 = cluster.worker("w2");
    }

    @Test
    void anEmitToOneSocketReachesOnlyItsOwningWorker() throws Exception {
        clients.connect("a", ChatCluster.url(worker1), "/chat", Map.of("name", "a"), null);
        clients.connect("b", ChatCluster.url(worker2), "/chat", Map.of("name", "b"), null);
        String idA = clients.awaitConnect("a").get("socketId").asText();
        String idB = clients.awaitConnect("b").get("socketId").asText();
        assertThat(idA).startsWith("w1.");
        assertThat(idB).startsWith("w2.");

        WorkerStats stats1 = worker1.getBean(DistributorWorker.class).stats();
        WorkerStats stats2 = worker2.getBean(DistributorWorker.class).stats();
        long before1 = stats1.socketCommandsReceived();
        long before2 = stats2.socketCommandsReceived();
        IndirectServer server = backend.getBean(IndirectServer.class);

        server.of("/chat").socket(idA).emit("direct", "to a");
        assertThat(clients.awaitEvent("a", "direct").get("args").get(0).asText()).isEqualTo("to a");
        assertThat(stats1.socketCommandsReceived()).isEqualTo(before1 + 1);

        // published after the first: once b has it, worker 2 would already have seen the first too
        server.of("/chat").socket(idB).emit("direct", "to b");
        assertThat(clients.awaitEvent("b", "direct").get("args").get(0).asText()).isEqualTo("to b");
        assertThat(stats2.socketCommandsReceived()).isEqualTo(before2 + 1);
        assertThat(stats1.socketCommandsReceived()).isEqualTo(before1 + 1);
        assertThat(clients.received("b", "direct")).hasSize(1);
    }

    @Test
    void roomBroadcastsReachClientsOnBothWorkers() throws Exception {
        clients.connect("a", ChatCluster.url(worker1), "/chat", Map.of("name", "a"), null);
        clients.connect("b", ChatCluster.url(worker2), "/chat", Map.of("name", "b"), null);
        clients.awaitConnect("a");
        clients.awaitConnect("b");
        clients.emitWithAck("a", "join", "shared").get(WAIT_SECONDS, TimeUnit.SECONDS);
        clients.emitWithAck("b", "join", "shared").get(WAIT_SECONDS, TimeUnit.SECONDS);
        clients.emitWithAck("b", "say", Map.of("room", "shared", "text", "across workers"))
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
        for (String id : List.of("a", "b")) {
            assertThat(clients.awaitEvent(id, "said").get("args").get(0).get("text").asText())
                    .isEqualTo("across workers");
        }
    }

    @Test
    void theJavaClientConnectsWithAuthAndGetsAcks() throws Exception {
        IO.Options options = IO.Options.builder().setForceNew(true).setReconnection(false)
                .setAuth(Map.of("name", "java")).build();
        Socket socket = IO.socket(ChatCluster.url(worker1) + "/chat", options);
        CompletableFuture<Void> connected = new CompletableFuture<>();
        socket.on(Socket.EVENT_CONNECT, args -> connected.complete(null));
        socket.on(Socket.EVENT_CONNECT_ERROR, args -> connected.completeExceptionally(
                new AssertionError("connect_error: " + List.of(args))));
        socket.connect();
        try {
            connected.get(WAIT_SECONDS, TimeUnit.SECONDS);
            CompletableFuture<Object[]> whoami = new CompletableFuture<>();
            socket.emit("whoami", new Object[0], whoami::complete);
            JSONObject me = (JSONObject) whoami.get(WAIT_SECONDS, TimeUnit.SECONDS)[0];
            assertThat(me.getString("name")).isEqualTo("java");
            assertThat(me.getString("id")).isEqualTo(socket.id());

            CompletableFuture<Object[]> echo = new CompletableFuture<>();
            socket.emit("echo", new Object[] {"one", 2}, echo::complete);
            assertThat(echo.get(WAIT_SECONDS, TimeUnit.SECONDS)).containsExactly("one", 2);

            CompletableFuture<Object[]> said = new CompletableFuture<>();
            socket.on("said", said::complete);
            CompletableFuture<Object[]> joined = new CompletableFuture<>();
            socket.emit("join", new Object[] {"java-room"}, joined::complete);
            joined.get(WAIT_SECONDS, TimeUnit.SECONDS);
            socket.emit("say", new Object[] {new JSONObject(Map.of("room", "java-room", "text", "hi from java"))});
            assertThat(((JSONObject) said.get(WAIT_SECONDS, TimeUnit.SECONDS)[0]).getString("text"))
                    .isEqualTo("hi from java");
        } finally {
            socket.close();
        }
    }

    @Test
    void garbageOnTheChannelsIsDroppedCountedAndTheSubscribersKeepWorking() throws Exception {
        DroppedMessages backendDrops = backend.getBean(DroppedMessages.class);
        DroppedMessages worker1Drops = worker1.getBean(DroppedMessages.class);
        long backendMalformed = backendDrops.count(Cause.MALFORMED);
        long backendMisrouted = backendDrops.count(Cause.MISROUTED);
        long workerMalformed = worker1Drops.count(Cause.MALFORMED);
        long workerUnknown = worker1Drops.count(Cause.UNKNOWN_SOCKET);

        String instanceChannel = "sio:instance:" + backend.getBean(DistributorBackend.class).id();
        RedisClient redis = RedisClient.create(cluster.redis().uri());
        try (StatefulRedisConnection<byte[], byte[]> connection = redis.connect(ByteArrayCodec.INSTANCE)) {
            for (String channel : List.of(instanceChannel, "sio:worker:w1", "sio:broadcast:/chat", "sio:instances")) {
                publish(connection, channel, "not an envelope".getBytes(StandardCharsets.UTF_8));
                publish(connection, channel, new byte[] {'S', 'D', 1, 2, (byte) 0xFF, (byte) 0xFF});
                publish(connection, channel, new byte[] {'S', 'D', 9, 2});
                publish(connection, channel, new byte[0]);
            }
            // well-formed but foreign: a /game message on the /chat channel, a command for a socket nobody has
            byte[] foreign = MessageCodec.encode(new EmitToSocket("/game", "w1.x", "e", Payload.empty()));
            publish(connection, instanceChannel, foreign);
            publish(connection, "sio:worker:w1", MessageCodec.encode(new EmitToSocket("/chat",
                    "w1.00000000-0000-0000-0000-000000000000", "e", Payload.empty())));
        } finally {
            redis.shutdown();
        }

        await().atMost(Duration.ofSeconds(WAIT_SECONDS)).untilAsserted(() -> {
            assertThat(backendDrops.count(Cause.MALFORMED)).isGreaterThanOrEqualTo(backendMalformed + 4);
            assertThat(backendDrops.count(Cause.MISROUTED)).isEqualTo(backendMisrouted + 1);
            assertThat(worker1Drops.count(Cause.MALFORMED)).isGreaterThanOrEqualTo(workerMalformed + 12);
            assertThat(worker1Drops.count(Cause.UNKNOWN_SOCKET)).isEqualTo(workerUnknown + 1);
        });

        clients.connect("after", ChatCluster.url(worker1), "/chat", Map.of("name", "after"), null);
        clients.awaitConnect("after");
        List<JsonNode> echo = clients.emitWithAck("after", "echo", "still alive").get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(echo.get(0).asText()).isEqualTo("still alive");
    }

    private static void publish(StatefulRedisConnection<byte[], byte[]> connection, String channel, byte[] body) {
        connection.sync().publish(channel.getBytes(StandardCharsets.UTF_8), body);
    }
}
