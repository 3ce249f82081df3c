package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.siodistributor.backend.IndirectNamespace;
import io.github.siodistributor.backend.IndirectServer;
import io.github.siodistributor.testsupport.NodeClients;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A worker with three event loops: its connections are spread over them (Netty hands accepted connections to
 * its loops in turn) and its Redis connections sit on one of them, so a broadcast writes some sessions on the
 * thread that read it from Redis and hands the others to their loops, and an upgraded session may write to a
 * WebSocket on another loop than its own. Every client must still get every packet once, in the order the backend
 * sent them, binary attachments included.
 */
class WorkerOnSeveralLoopsTest extends ChatClusterTestSupport {

    private static final int PACKETS = 30;

    private static ConfigurableApplicationContext backend;
    private static String url;

    @BeforeAll
    static void startCluster() {
        cluster = new ChatCluster("loops");
        backend = cluster.backend(RecordingHandler.class);
        url = ChatCluster.url(cluster.worker("w1", List.of("distributor.worker.io-threads=3"),
                RecordingHandler.class));
    }

    @Test
    void broadcastsAndPerSocketEmitsArriveOnceAndInOrderOnEveryLoop() throws Exception {
        Map<String, String> socketIds = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            clients.connect("polling" + i, url, "/recorded", null, null);
            clients.connect("websocket" + i, url, "/recorded", null, Map.of("transports", List.of("websocket")));
        }
        for (int i = 0; i < 3; i++) {
            for (String client : List.of("polling" + i, "websocket" + i)) {
                socketIds.put(client, clients.awaitConnect(client).get("socketId").asText());
                clients.emitWithAck(client, "join", "r").get(WAIT_SECONDS, TimeUnit.SECONDS);
            }
            clients.awaitUpgrade("polling" + i);
        }
        IndirectNamespace ns = backend.getBean(IndirectServer.class).of("/recorded");

        // one backend publishes them all in this order, so every worker reads them in this order
        for (int n = 1; n <= PACKETS; n++) {
            switch (n % 3) {
                case 0 -> {
                    for (String socketId : socketIds.values()) {
                        ns.socket(socketId).emit("n", n);
                    }
                }
                case 1 -> ns.to("r").emit("n", n);
                default -> ns.to("r").emit("n", n, new byte[] {(byte) n, 0, (byte) 0xff});
            }
        }

        List<Integer> expected = IntStream.rangeClosed(1, PACKETS).boxed().toList();
        for (String client : socketIds.keySet()) {
            clients.awaitEvent(client + " to get packet " + PACKETS, line -> isPacket(line, client, PACKETS),
                    NodeClients.DEFAULT_TIMEOUT);
            List<Integer> numbers = new ArrayList<>();
            for (JsonNode line : clients.received(client, "n")) {
                JsonNode args = line.get("args");
                int n = args.get(0).asInt();
                numbers.add(n);
                if (n % 3 == 2) {
                    assertThat(NodeClients.binary(args.get(1))).as("attachment of %d on %s", n, client)
                            .containsExactly(n, 0, 0xff);
                }
            }
            assertThat(numbers).as("packets of %s", client).isEqualTo(expected);
        }
    }

    private static boolean isPacket(JsonNode line, String client, int n) {
        return "event".equals(line.path("type").asText()) && client.equals(line.path("id").asText())
                && "n".equals(line.path("event").asText()) && line.path("args").path(0).asInt() == n;
    }
}
