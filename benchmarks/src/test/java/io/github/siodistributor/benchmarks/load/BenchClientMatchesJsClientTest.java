package io.github.siodistributor.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.siodistributor.benchmarks.server.BenchServerApplication;
import io.github.siodistributor.testsupport.FreePorts;
import io.github.siodistributor.testsupport.NodeClients;
import io.github.siodistributor.testsupport.TestRedis;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The load generator's client sees what the official JavaScript client v4 sees: both run the benchmark's
 * scenario steps (join, echo with ack, a room broadcast, a per-socket emit) against the server under test
 * (worker and backend of {@link BenchServerApplication} on a real Redis), and get the same acks and events.
 */
class BenchClientMatchesJsClientTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long WAIT_SECONDS = 30;

    private static TestRedis redis;
    private static ConfigurableApplicationContext server;
    private static int port;

    @BeforeAll
    static void startServer() {
        redis = TestRedis.startNew();
        port = FreePorts.find();
        server = BenchServerApplication.run("--distributor.redis.embedded.enabled=false",
                "--spring.data.redis.host=" + redis.host(), "--spring.data.redis.port=" + redis.port(),
                "--distributor.worker.port=" + port);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    /** What the bench client receives, as {@code ack <id> <json>} and {@code event <json>} lines. */
    private static final class Recorder implements BenchClient.Listener {
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();

        @Override
        public void onAck(BenchClient client, long ackId, ByteBuf packet, int dataStart) {
            received.add("ack " + ackId + " " + packet.toString(dataStart, packet.writerIndex() - dataStart,
                    StandardCharsets.UTF_8));
        }

        @Override
        public void onEvent(BenchClient client, ByteBuf packet, Packets.Parsed parsed) {
            received.add("event " + packet.toString(parsed.dataStart, packet.writerIndex() - parsed.dataStart,
                    StandardCharsets.UTF_8));
        }

        JsonNode next(String kind) throws Exception {
            String line = received.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(line).as("a%s %s", kind.startsWith("a") ? "n" : "", kind).isNotNull().startsWith(kind + " ");
            String json = line.substring(kind.length() + 1);
            return JSON.readTree(kind.equals("ack") ? json.substring(json.indexOf(' ') + 1) : json);
        }
    }

    @Test
    void sameAcksAndEventsAsTheOfficialClient() throws Exception {
        Recorder recorder = new Recorder();
        try (NodeClients js = new NodeClients(); ClientPool pool = new ClientPool(1)) {
            js.connect("js", "http://127.0.0.1:" + port, "/chat");
            js.awaitConnect("js");
            BenchClient bench = pool.connect(1, List.of("127.0.0.1:" + port), "/chat", recorder, 1).get(0);
            assertThat(bench.socketId()).as("the socket id the server gave").isNotBlank();

            // join: the ack carries the room
            List<JsonNode> jsJoin = js.emitWithAck("js", "join", "r").get(WAIT_SECONDS, TimeUnit.SECONDS);
            onLoop(bench, () -> bench.emitWithAck(Packets.ascii("\"join\""), Packets.ascii("\"r\"")));
            assertThat(recorder.next("ack")).isEqualTo(JSON.valueToTree(jsJoin));

            // echo with ack: the arguments come back, for the numbered form the echo scenario sends as well
            List<JsonNode> jsEcho = js.emitWithAck("js", "echo", 12345).get(WAIT_SECONDS, TimeUnit.SECONDS);
            onLoop(bench, () -> bench.emitWithAck(Packets.ascii("\"echo\""), 12345));
            assertThat(recorder.next("ack")).isEqualTo(JSON.valueToTree(jsEcho));
            List<JsonNode> jsRich = js.emitWithAck("js", "echo", Map.of("a", List.of(1, "two")), "three")
                    .get(WAIT_SECONDS, TimeUnit.SECONDS);
            onLoop(bench, () -> bench.emitWithAck(Packets.ascii("\"echo\""),
                    Packets.ascii("{\"a\":[1,\"two\"]},\"three\"")));
            assertThat(recorder.next("ack")).isEqualTo(JSON.valueToTree(jsRich));

            // a room broadcast (the JS client says it) reaches both as the same event
            js.emitWithAck("js", "say", Map.of("room", "r", "text", "7")).get(WAIT_SECONDS, TimeUnit.SECONDS);
            JsonNode jsSaid = js.awaitEvent("js", "said");
            JsonNode benchSaid = recorder.next("event");
            assertThat(benchSaid.get(0).asText()).isEqualTo("said");
            assertThat(benchSaid.get(1)).isEqualTo(jsSaid.get("args").get(0));

            // an emit from the server to one socket
            js.emit("js", "poke", "hi");
            onLoop(bench, () -> bench.emit(Packets.ascii("\"poke\""), Packets.ascii("\"hi\"")));
            JsonNode jsPoked = js.awaitEvent("js", "poked");
            JsonNode benchPoked = recorder.next("event");
            assertThat(benchPoked.get(0).asText()).isEqualTo("poked");
            assertThat(benchPoked.get(1)).isEqualTo(jsPoked.get("args").get(0));
            assertThat(recorder.received).as("nothing else arrived").isEmpty();
        }
    }

    private static void onLoop(BenchClient client, Runnable emit) {
        client.channel().eventLoop().execute(() -> {
            emit.run();
            client.flush();
        });
    }
}
