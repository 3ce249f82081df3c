package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.siodistributor.core.gateway.DistributorGateway;
import io.github.siodistributor.core.protocol.SocketIds;
import io.github.siodistributor.testsupport.FreePorts;
import io.github.siodistributor.testsupport.NodeClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Issue 8 with a real process: three workers behind the gateway, the one to be killed from the sample jar, the
 * others, the backend and the gateway in this JVM, JavaScript clients that reconnect by themselves, long-polling only and with default settings
 * (upgraded to WebSocket). One worker is killed with SIGKILL: its clients are turned away by the gateway (a
 * parked poll gets Engine.IO's "Session ID unknown", a WebSocket is closed) and come back through the gateway on
 * the other workers; new sessions skip the dead worker; the other clients notice nothing. The same when the
 * worker is paused with SIGSTOP instead, as a host that vanished without resetting its connections: nothing
 * ends them then but the gateway, once the worker's report has expired.
 */
class GatewayFailoverIT {

    private static final List<String> WORKERS = List.of("wa", "wb", "wc");
    private static final String KILLED = "wa";
    /** In turn: round-robin puts one long-polling and one upgraded client on each worker. */
    private static final List<String> CLIENTS = List.of("p1", "d1", "p2", "d2", "p3", "d3");
    private static final long ACK_SECONDS = 20;

    private ChatCluster cluster;
    private RecordingHandler recorder;
    private SampleProcess killed;
    private ConfigurableApplicationContext gateway;
    private NodeClients clients;
    private final Map<String, String> socketIds = new HashMap<>();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"killed", "paused"})
    void aLostWorkersClientsReconnectThroughTheGatewayToTheOthersAndNewSessionsSkipIt(String how) throws Exception {
        cluster = new ChatCluster();
        recorder = cluster.backend(RecordingHandler.class).getBean(RecordingHandler.class);
        killed = SampleProcess.start(KILLED, workerArguments(KILLED, FreePorts.find()));
        for (String id : WORKERS.subList(1, WORKERS.size())) {
            cluster.worker(id, List.of("distributor.worker.advertised-address=127.0.0.1"), RecordingHandler.class);
        }
        killed.awaitStarted(90);
        gateway = cluster.gateway("distributor.gateway.balancing=round-robin",
                "distributor.gateway.refresh-interval=200ms");
        DistributorGateway balancer = gateway.getBean(DistributorGateway.class);
        await("the gateway sees the three workers").atMost(Duration.ofSeconds(30))
                .until(() -> balancer.workers().size() == WORKERS.size());
        String url = ChatCluster.gatewayUrl(gateway);
        clients = new NodeClients();
        for (String client : CLIENTS) {
            Map<String, Object> options = new HashMap<>(Map.of("reconnection", true, "reconnectionDelay", 200,
                    "reconnectionDelayMax", 1000));
            if (client.startsWith("p")) {
                options.put("transports", List.of("polling"));
            }
            clients.connect(client, url, "/recorded", null, options);
            socketIds.put(client, clients.awaitConnect(client).get("socketId").asText());
            assertThat(join(client, "before")).isEqualTo("before");
        }
        for (String client : CLIENTS) {
            if (client.startsWith("d")) {
                assertThat(clients.awaitUpgrade(client).get("transport").asText()).isEqualTo("websocket");
            }
        }
        List<String> moving = clientsOn(KILLED);
        List<String> staying = CLIENTS.stream().filter(client -> !moving.contains(client)).toList();
        assertThat(moving).as("the killed worker's clients: one long-polling, one upgraded").hasSize(2)
                .anyMatch(client -> client.startsWith("p")).anyMatch(client -> client.startsWith("d"));

        if (how.equals("paused")) {
            killed.pause();
        } else {
            killed.kill();
        }

        for (String client : moving) {
            clients.awaitDisconnect(client);
            String id = clients.awaitConnect(client).get("socketId").asText();
            assertThat(SocketIds.workerOf(id)).as("%s's new socket %s", client, id).isIn("wb", "wc");
            assertThat(recorder.handshakes).as("the backend's connects").containsKey(id);
            assertThat(join(client, "after")).isEqualTo("after");
        }
        // new sessions, at once (the dead worker's lease may not have expired yet): none goes to the dead worker
        List<String> newcomers = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            String client = "new" + i;
            clients.connect(client, url, "/recorded", null, Map.of("transports", List.of("polling")));
            newcomers.add(client);
            String id = clients.awaitConnect(client).get("socketId").asText();
            assertThat(SocketIds.workerOf(id)).as("%s's socket %s", client, id).isIn("wb", "wc");
        }
        for (String client : staying) {
            assertThat(join(client, "still")).isEqualTo("still");
        }
        List<JsonNode> seen = clients.lines().stream().filter(line -> staying.contains(line.path("id").asText()))
                .filter(line -> Set.of("disconnect", "connect").contains(line.path("type").asText())).toList();
        assertThat(seen).as("connects and disconnects of the clients that stayed")
                .allSatisfy(line -> assertThat(line.path("type").asText()).isEqualTo("connect"))
                .hasSize(staying.size());
        await("the gateway forgets the dead worker").atMost(Duration.ofSeconds(30))
                .until(() -> balancer.workers().stream().noneMatch(worker -> worker.id().equals(KILLED)));
        if (how.equals("paused")) {
            killed.kill();
        }
    }

    private String[] workerArguments(String id, int port) {
        return SampleProcess.arguments(cluster.redis(), "--distributor.backend.enabled=false",
                // a short lease: the gateway forgets a paused worker one TTL after its report expired
                "--distributor.worker.id=" + id, "--distributor.worker.port=" + port, "--distributor.worker.lease-ttl=2s",
                "--distributor.worker.advertised-address=127.0.0.1", "--distributor.worker.namespaces=/recorded");
    }

    private List<String> clientsOn(String worker) {
        return CLIENTS.stream().filter(client -> worker.equals(SocketIds.workerOf(socketIds.get(client)))).toList();
    }

    private String join(String client, String room) throws Exception {
        return clients.emitWithAck(client, "join", room).get(ACK_SECONDS, TimeUnit.SECONDS).get(0).asText();
    }

    @AfterEach
    void stop() {
        if (clients != null) {
            clients.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (killed != null) {
            killed.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }
}
