package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.siodistributor.core.engine.EngineServer;
import io.github.siodistributor.core.gateway.DistributorGateway;
import io.github.siodistributor.core.gateway.KnownWorker;
import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.SocketIds;
import io.github.siodistributor.core.protocol.WorkerAddress;
import io.github.siodistributor.core.protocol.WorkerRun;
import io.github.siodistributor.core.transport.WorkerLeases;
import io.github.siodistributor.core.worker.DistributorWorker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Issue 8: real JavaScript clients through the gateway to three workers on one Redis. Every request of a session
 * reaches the worker its sid names (counted where the clients send them and where the workers receive them), the
 * balancing methods spread new sessions as they promise, and one keep-alive connection carrying several sessions
 * has each of its requests routed on its own.
 */
class GatewayTest extends ChatClusterTestSupport {

    private static final List<String> WORKERS = List.of("w1", "w2", "w3");
    /**
     * Reports every second, so that least-connection sees new counts soon; a report late by up to two seconds (a busy
     * machine) still finds the worker listed.
     */
    private static final List<String> WORKER_PROPERTIES = List.of("distributor.worker.lease-ttl=3s",
            "distributor.worker.advertised-address=127.0.0.1");
    private static final Duration WAIT = Duration.ofSeconds(WAIT_SECONDS);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, ConfigurableApplicationContext> workers = new LinkedHashMap<>();

    private ConfigurableApplicationContext gateway;
    private final List<String> connected = new ArrayList<>();

    @BeforeAll
    static void startCluster() {
        cluster = new ChatCluster();
        cluster.backend(RecordingHandler.class);
        for (String id : WORKERS) {
            workers.put(id, cluster.worker(id, WORKER_PROPERTIES, RecordingHandler.class));
        }
    }

    @Test
    void everyRequestOfEachPollingSessionLandsOnItsOwningWorker() throws Exception {
        String url = startGateway("round-robin");
        WorkerRequests requests = WorkerRequests.since(workers);
        Map<String, String> engineIds = connectAll(url, List.of("p1", "p2", "p3", "p4", "p5", "p6"),
                Map.of("transports", List.of("polling")));
        assertThat(engineIds.values().stream().collect(Collectors.groupingBy(SocketIds::workerOf,
                Collectors.counting()))).as("round-robin's turns").isEqualTo(Map.of("w1", 2L, "w2", 2L, "w3", 2L));
        for (int round = 0; round < 3; round++) {
            for (String client : engineIds.keySet()) {
                assertThat(join(client, "r" + round)).isEqualTo("r" + round);
            }
        }
        requests.assertEveryRequestReachedItsOwner(clients, engineIds, WAIT);
    }

    @Test
    void clientsWithDefaultSettingsPollThenUpgradeThroughTheGateway() throws Exception {
        String url = startGateway("round-robin");
        WorkerRequests requests = WorkerRequests.since(workers);
        Map<String, String> engineIds = connectAll(url, List.of("d1", "d2", "d3"), null);
        for (String client : engineIds.keySet()) {
            assertThat(clients.awaitUpgrade(client).get("transport").asText()).isEqualTo("websocket");
        }
        assertThat(engineIds.values().stream().map(SocketIds::workerOf)).containsExactlyInAnyOrderElementsOf(WORKERS);
        for (String client : engineIds.keySet()) {
            assertThat(join(client, "after-upgrade")).isEqualTo("after-upgrade");
        }
        assertThat(clients.emitWithAck("d1", "shout", "hello").get(WAIT_SECONDS, TimeUnit.SECONDS).get(0).asBoolean())
                .isTrue();
        assertThat(clients.awaitEvent("d2", "shouted").get("args").get(0).asText()).isEqualTo("hello");
        assertThat(clients.awaitEvent("d3", "shouted").get("args").get(0).asText()).isEqualTo("hello");
        requests.assertEveryRequestReachedItsOwner(clients, engineIds, WAIT);
        // the chat page served by the gateway's process connects through the gateway; by a worker's, to the worker
        assertThat(gateway.getBean(PageConfigController.class).config())
                .containsEntry("socketIoPort", gateway.getBean(DistributorGateway.class).port());
        assertThat(workers.get("w1").getBean(PageConfigController.class).config())
                .containsEntry("socketIoPort", workers.get("w1").getBean(DistributorWorker.class).port());
    }

    @Test
    void oneKeepAliveConnectionCarryingSeveralSessionsHasEachRequestRoutedToItsOwner() throws Exception {
        startGateway("round-robin");
        WorkerRequests requests = WorkerRequests.since(workers);
        int port = gateway.getBean(DistributorGateway.class).port();
        Map<String, Long> sent = new HashMap<>();
        List<String> sids = new ArrayList<>();
        try (RawHttpConnection http = new RawHttpConnection("127.0.0.1", port)) {
            for (int i = 0; i < WORKERS.size(); i++) {
                RawHttpConnection.Response open = http.get("/socket.io/?EIO=4&transport=polling");
                assertThat(open.status()).as(open.body()).isEqualTo(200);
                String sid = JSON.readTree(open.body().substring(1)).get("sid").asText();
                sids.add(sid);
                sent.merge(SocketIds.workerOf(sid), 1L, Long::sum);
            }
            assertThat(sids.stream().map(SocketIds::workerOf)).containsExactlyInAnyOrderElementsOf(WORKERS);
            // the sessions' requests interleaved on the one connection, each answered by its own session
            for (String sid : sids) {
                assertThat(poll(http, sid, sent, "40/recorded,").body()).isEqualTo("ok");
            }
            for (String sid : sids) {
                String connect = awaitPacket(http, sid, sent, "40/recorded,");
                String socketId = JSON.readTree(connect.substring("40/recorded,".length())).get("sid").asText();
                assertThat(SocketIds.workerOf(socketId)).isEqualTo(SocketIds.workerOf(sid));
            }
            for (int round = 0; round < 2; round++) {
                for (String sid : sids) {
                    assertThat(poll(http, sid, sent, "42/recorded," + round + "[\"join\",\"" + sid + "\"]").body())
                            .isEqualTo("ok");
                }
                for (String sid : sids) {
                    assertThat(awaitPacket(http, sid, sent, "43/recorded," + round))
                            .isEqualTo("43/recorded," + round + "[\"" + sid + "\"]");
                }
            }
            // a session whose worker is not live: Engine.IO's own error at once, and the connection stays usable
            RawHttpConnection.Response gone = http.get("/socket.io/?EIO=4&transport=polling&sid=gone.x");
            assertThat(gone.status()).isEqualTo(400);
            assertThat(gone.body()).isEqualTo("{\"code\":1,\"message\":\"Session ID unknown\"}");
            for (String sid : sids) {
                assertThat(poll(http, sid, sent, "1").body()).isEqualTo("ok");
            }
        }
        assertThat(requests.received()).as("requests each worker received").isEqualTo(sent);
        assertThat(requests.forUnknownSessions().values()).containsOnly(0L);
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderUpToALimitBeyondWhichTheConnectionIsClosed() throws Exception {
        startGateway("round-robin");
        int port = gateway.getBean(DistributorGateway.class).port();
        String open = "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        try (RawHttpConnection http = new RawHttpConnection("127.0.0.1", port)) {
            // one under way and four waiting behind it: the limit
            http.write(open.repeat(5));
            List<String> sids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                RawHttpConnection.Response opened = http.response("open " + i);
                assertThat(opened.status()).as(opened.body()).isEqualTo(200);
                sids.add(JSON.readTree(opened.body().substring(1)).get("sid").asText());
            }
            assertThat(sids).doesNotHaveDuplicates();
            for (String sid : sids) {
                assertThat(poll(http, sid, new HashMap<>(), "1").body()).isEqualTo("ok");
            }
        }
        try (RawHttpConnection http = new RawHttpConnection("127.0.0.1", port)) {
            // no Engine.IO client pipelines; a connection that does so this deep could make the gateway hold any
            // number of request bodies
            http.write(open.repeat(12));
            assertThat(http.closedOrResetByPeer()).as("closed without an answer").isTrue();
        }
    }

    @Test
    void aSessionOfAWorkerThatStartedSinceTheGatewaysLastReadIsRoutedNotRefused() throws Exception {
        // reads the directory by itself only once a minute: the new worker below stays unknown to it
        gateway = cluster.gateway("distributor.gateway.refresh-interval=60s");
        DistributorGateway balancer = gateway.getBean(DistributorGateway.class);
        await().atMost(WAIT).until(() -> balancer.workers().size() == WORKERS.size());
        ConfigurableApplicationContext newcomer = cluster.worker("w4", WORKER_PROPERTIES, RecordingHandler.class);
        try {
            int newcomerPort = newcomer.getBean(DistributorWorker.class).port();
            String sid;
            // a session opened elsewhere (through a gateway that already knew the worker)
            try (RawHttpConnection direct = new RawHttpConnection("127.0.0.1", newcomerPort)) {
                sid = JSON.readTree(direct.get("/socket.io/?EIO=4&transport=polling").body().substring(1)).get("sid")
                        .asText();
            }
            assertThat(balancer.workers()).noneMatch(worker -> worker.id().equals("w4"));
            try (RawHttpConnection http = new RawHttpConnection("127.0.0.1", balancer.port())) {
                RawHttpConnection.Response noop = http.post("/socket.io/?EIO=4&transport=polling&sid=" + sid, "6");
                assertThat(noop.status()).as(noop.body()).isEqualTo(200);
                assertThat(noop.body()).isEqualTo("ok");
                assertThat(http.post("/socket.io/?EIO=4&transport=polling&sid=" + sid, "1").status()).isEqualTo(200);
                // a worker nobody knows, even after reading again: Engine.IO's own error
                RawHttpConnection.Response unknown = http.post("/socket.io/?EIO=4&transport=polling&sid=w9.x", "6");
                assertThat(unknown.status()).isEqualTo(400);
                assertThat(unknown.body()).isEqualTo("{\"code\":1,\"message\":\"Session ID unknown\"}");
            }
        } finally {
            newcomer.close();
        }
        await("the new worker left the directory").atMost(WAIT).until(() -> {
            balancer.refreshNow();
            return balancer.workers().size() == WORKERS.size();
        });
    }

    /**
     * A worker that takes connections but answers nothing (a frozen process, a stuck event loop) while its lease lives
     * on: a new session sent to it goes to another worker after the connect timeout instead of waiting for the
     * client's own timeout, and the next new sessions skip it.
     */
    @Test
    void aNewSessionThatItsWorkerDoesNotAnswerGoesToAnotherWorker() throws Exception {
        WorkerLeases.Lease silent;
        try (ServerSocket listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(listening.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.start();
            // "w0": first in the round-robin turns, which go by worker id
            silent = new WorkerLeases(workers.get("w1").getBean(RedisConnectionFactory.class), new ChannelNames("sio"))
                    .acquire(new WorkerRun("w0", "silent01"), Duration.ofSeconds(60), loss -> { });
            try {
                silent.report(new WorkerAddress("127.0.0.1", listening.getLocalPort()), () -> 0);
                gateway = cluster.gateway("distributor.gateway.balancing=round-robin",
                        "distributor.gateway.refresh-interval=200ms", "distributor.gateway.connect-timeout=1s");
                DistributorGateway balancer = gateway.getBean(DistributorGateway.class);
                await().atMost(WAIT).until(() -> balancer.workers().size() == WORKERS.size() + 1);

                List<String> sids = new ArrayList<>();
                try (RawHttpConnection http = new RawHttpConnection("127.0.0.1", balancer.port())) {
                    for (int i = 0; i < WORKERS.size() + 1; i++) {
                        RawHttpConnection.Response open = http.get("/socket.io/?EIO=4&transport=polling");
                        assertThat(open.status()).as(open.body()).isEqualTo(200);
                        sids.add(JSON.readTree(open.body().substring(1)).get("sid").asText());
                    }
                }
                assertThat(accepted).as("connections the silent worker took").isNotEmpty();
                assertThat(sids).as("the sessions' workers").allSatisfy(sid -> assertThat(SocketIds.workerOf(sid))
                        .isIn(WORKERS));
                assertThat(balancer.workers()).filteredOn(worker -> worker.id().equals("w0"))
                        .singleElement().satisfies(worker -> assertThat(worker.reachable()).isFalse());
                for (String sid : sids) {
                    try (RawHttpConnection close = new RawHttpConnection("127.0.0.1", balancer.port())) {
                        close.post("/socket.io/?EIO=4&transport=polling&sid=" + sid, "1");
                    }
                }
            } finally {
                silent.close();
                for (Socket socket : accepted) {
                    socket.close();
                }
            }
        }
    }

    /** As after a Redis restart that lost the reports: the first read may come before the workers report again. */
    @Test
    void workersMissingFromOneReadKeepTheirClients() throws Exception {
        String url = startGateway("round-robin");
        connectAll(url, List.of("kept"), Map.of());
        assertThat(clients.awaitUpgrade("kept").get("transport").asText()).isEqualTo("websocket");
        DistributorGateway balancer = gateway.getBean(DistributorGateway.class);
        StringRedisTemplate redis = new StringRedisTemplate(workers.get("w1").getBean(RedisConnectionFactory.class));

        redis.delete(new ChannelNames("sio").workerDirectory());
        balancer.refreshNow();
        assertThat(balancer.workers()).as("no new session goes to a worker missing from the read").isEmpty();
        await("the workers reported again").atMost(WAIT).until(() -> {
            balancer.refreshNow();
            return balancer.workers().size() == WORKERS.size();
        });

        assertThat(join("kept", "still")).isEqualTo("still");
        assertThat(clients.lines()).noneMatch(line -> "disconnect".equals(line.path("type").asText()));
    }

    @Test
    void anIdleConnectionIsClosedButNotOneWhosePollIsParkedOnItsWorker() throws Exception {
        gateway = cluster.gateway("distributor.gateway.refresh-interval=200ms", "distributor.gateway.idle-timeout=200ms");
        DistributorGateway balancer = gateway.getBean(DistributorGateway.class);
        await().atMost(WAIT).until(() -> balancer.workers().size() == WORKERS.size());
        try (RawHttpConnection idle = new RawHttpConnection("127.0.0.1", balancer.port())) {
            assertThat(idle.closedByPeer()).as("a connection that never sent a request").isTrue();
        }
        try (RawHttpConnection parked = new RawHttpConnection("127.0.0.1", balancer.port())) {
            RawHttpConnection.Response open = parked.get("/socket.io/?EIO=4&transport=polling");
            String sid = JSON.readTree(open.body().substring(1)).get("sid").asText();
            parked.write("GET /socket.io/?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            EngineServer engine = engine(SocketIds.workerOf(sid));
            await().atMost(WAIT).until(() -> engine.session(sid) != null && engine.session(sid).hasParkedPoll());
            // five idle timeouts: the poll stays parked (had the gateway closed the client's connection, the worker's
            // session would have ended with its own)
            await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> engine.session(sid) != null
                    && engine.session(sid).hasParkedPoll());
            try (RawHttpConnection other = new RawHttpConnection("127.0.0.1", balancer.port())) {
                assertThat(other.post("/socket.io/?EIO=4&transport=polling&sid=" + sid, "1").status())
                        .isEqualTo(200);
            }
            assertThat(parked.response("the parked poll").status()).isEqualTo(200);
        }
    }

    /**
     * A WebSocket through the gateway with no byte either way for the idle timeout (here far below the workers' ping
     * interval; in production, a client that stopped reading while its worker's frames piled up, or whose host
     * vanished) is closed, and so is the gateway's connection to its worker, whose session then ends.
     */
    @Test
    void aWebSocketWithNoTrafficForTheIdleTimeoutIsClosedWithItsConnectionToTheWorker() throws Exception {
        gateway = cluster.gateway("distributor.gateway.refresh-interval=200ms",
                "distributor.gateway.idle-timeout=500ms");
        DistributorGateway balancer = gateway.getBean(DistributorGateway.class);
        await().atMost(WAIT).until(() -> balancer.workers().size() == WORKERS.size());
        byte[] received;
        try (RawHttpConnection websocket = new RawHttpConnection("127.0.0.1", balancer.port())) {
            websocket.write("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n");
            assertThat(websocket.response("the upgrade").status()).isEqualTo(101);
            received = websocket.untilClosed();
        }
        // the worker's open packet, the one frame that came before the close
        String frames = new String(received, StandardCharsets.ISO_8859_1);
        Matcher open = Pattern.compile("\"sid\":\"([^\"]+)\"").matcher(frames);
        assertThat(open.find()).as("an open packet in %s", frames).isTrue();
        String sid = open.group(1);
        EngineServer engine = engine(SocketIds.workerOf(sid));
        await("the worker's session ended with the gateway's connection").atMost(WAIT)
                .until(() -> engine.session(sid) == null);
    }

    /**
     * A client that leaves while its poll is parked (a tab closed): the gateway sees its connection end and closes
     * the one to the worker, whose session then ends at once, as with no gateway between ("poll connection closed
     * prematurely"), not at its ping timeout (45 s here).
     */
    @Test
    void aClientThatLeavesWhileItsPollIsParkedEndsItsSessionAtOnce() throws Exception {
        gateway = cluster.gateway("distributor.gateway.refresh-interval=200ms");
        DistributorGateway balancer = gateway.getBean(DistributorGateway.class);
        await().atMost(WAIT).until(() -> balancer.workers().size() == WORKERS.size());
        String sid;
        EngineServer engine;
        try (RawHttpConnection parked = new RawHttpConnection("127.0.0.1", balancer.port())) {
            RawHttpConnection.Response open = parked.get("/socket.io/?EIO=4&transport=polling");
            sid = JSON.readTree(open.body().substring(1)).get("sid").asText();
            parked.write("GET /socket.io/?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            engine = engine(SocketIds.workerOf(sid));
            await().atMost(WAIT).until(() -> engine.session(sid) != null && engine.session(sid).hasParkedPoll());
        }
        await("the session's end").atMost(Duration.ofSeconds(15)).until(() -> engine.session(sid) == null);
    }

    @Test
    void aWorkerAskedForASessionItDoesNotHoldAnswersSessionIdUnknownAtOnce() throws Exception {
        int port = workers.get("w1").getBean(DistributorWorker.class).port();
        try (RawHttpConnection http = new RawHttpConnection("127.0.0.1", port)) {
            RawHttpConnection.Response open = http.get("/socket.io/?EIO=4&transport=polling");
            String sid = JSON.readTree(open.body().substring(1)).get("sid").asText();
            assertThat(SocketIds.workerOf(sid)).as("a session id names its worker").isEqualTo("w1");
            for (String foreign : List.of("w2." + sid.substring(3), "w1.not-a-session", "no-worker-named")) {
                RawHttpConnection.Response refused = http.get("/socket.io/?EIO=4&transport=polling&sid=" + foreign);
                assertThat(refused.status()).as(foreign).isEqualTo(400);
                assertThat(refused.body()).isEqualTo("{\"code\":1,\"message\":\"Session ID unknown\"}");
            }
            assertThat(poll(http, sid, new HashMap<>(), "1").body()).isEqualTo("ok");
        }
    }

    @Test
    void aMalformedQueryIsAnsweredBadRequestByTheGatewayAndByAWorker() throws Exception {
        startGateway("round-robin");
        int gatewayPort = gateway.getBean(DistributorGateway.class).port();
        int workerPort = workers.get("w1").getBean(DistributorWorker.class).port();
        for (int port : List.of(gatewayPort, workerPort)) {
            // a new connection per request: the gateway closes one whose request it could not read
            for (String query : List.of("EIO=4&transport=polling&sid=%zz", "EIO=4&transport=polling&sid=w1.x%")) {
                try (RawHttpConnection http = new RawHttpConnection("127.0.0.1", port)) {
                    RawHttpConnection.Response refused = http.post("/socket.io/?" + query, "x".repeat(500));
                    assertThat(refused.status()).as("port %d, %s", port, query).isEqualTo(400);
                    assertThat(refused.body()).isEqualTo("{\"code\":3,\"message\":\"Bad request\"}");
                }
            }
        }
        // the gateway still routes: a session opens, and closes (Engine.IO close packet)
        try (RawHttpConnection http = new RawHttpConnection("127.0.0.1", gatewayPort)) {
            RawHttpConnection.Response open = http.get("/socket.io/?EIO=4&transport=polling");
            assertThat(open.status()).isEqualTo(200);
            String sid = JSON.readTree(open.body().substring(1)).get("sid").asText();
            assertThat(poll(http, sid, new HashMap<>(), "1").body()).isEqualTo("ok");
        }
    }

    @Test
    void roundRobinGivesEachWorkerItsTurn() {
        String url = startGateway("round-robin");
        Map<String, String> engineIds = connectAll(url, clientIds("rr", 9), Map.of("transports", List.of("websocket")));
        assertThat(countByWorker(engineIds)).isEqualTo(Map.of("w1", 3L, "w2", 3L, "w3", 3L));
    }

    @Test
    void randomBalancingReachesEveryWorker() {
        String url = startGateway("random");
        Map<String, String> engineIds = connectAll(url, clientIds("rnd", 30), Map.of("transports", List.of("websocket")));
        // each worker misses all 30 with probability (2/3)^30, below 1 in 190,000
        assertThat(countByWorker(engineIds)).containsOnlyKeys(WORKERS);
    }

    @Test
    void leastConnectionFillsTheEmptiestWorkersFirst() {
        String url = startGateway("least-connection");
        DistributorGateway balancer = gateway.getBean(DistributorGateway.class);
        // connected to the workers directly: four on w1, two on w2, none on w3
        Map<String, String> direct = new LinkedHashMap<>();
        direct.putAll(connectAll(ChatCluster.url(workers.get("w1")), clientIds("on-w1-", 4),
                Map.of("transports", List.of("websocket"))));
        direct.putAll(connectAll(ChatCluster.url(workers.get("w2")), clientIds("on-w2-", 2),
                Map.of("transports", List.of("websocket"))));
        await("the gateway's view of the workers' reports").atMost(WAIT).untilAsserted(() -> assertThat(
                balancer.workers().stream().collect(Collectors.toMap(KnownWorker::id, KnownWorker::connections)))
                .isEqualTo(Map.of("w1", 4, "w2", 2, "w3", 0)));

        Map<String, String> balanced = connectAll(url, clientIds("lc", 6), Map.of("transports", List.of("websocket")));
        assertThat(countByWorker(balanced)).as("the six new sessions").isEqualTo(Map.of("w2", 2L, "w3", 4L));
        assertThat(WORKERS.stream().map(id -> workers.get(id).getBean(DistributorWorker.class).engine().sessionCount()))
                .containsOnly(4);
    }

    @Test
    void withNoLiveWorkerANewSessionGetsA503SayingSoAndAnOversizedBodyA413() throws Exception {
        // another prefix: a deployment whose workers are all gone
        ConfigurableApplicationContext empty = cluster.gateway("distributor.redis.prefix=nobody",
                "distributor.gateway.max-request-size=1KB");
        try (RawHttpConnection http = new RawHttpConnection("127.0.0.1",
                empty.getBean(DistributorGateway.class).port())) {
            RawHttpConnection.Response refused = http.get("/socket.io/?EIO=4&transport=polling");
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.headers()).containsEntry("content-type", "application/json").containsKey("retry-after");
            assertThat(JSON.readTree(refused.body()).get("message").asText()).contains("No distributor worker");
            RawHttpConnection.Response again = http.get("/socket.io/?EIO=4&transport=polling&sid=w1.abc");
            assertThat(again.status()).as("the same keep-alive connection, a session of a worker that is gone")
                    .isEqualTo(400);
            RawHttpConnection.Response tooLarge = http.post("/socket.io/?EIO=4&transport=polling&sid=w1.abc",
                    "x".repeat(2000));
            assertThat(tooLarge.status()).as("a body over distributor.gateway.max-request-size").isEqualTo(413);
            assertThat(http.closedByPeer()).isTrue();
        }
        try (RawHttpConnection http = new RawHttpConnection("127.0.0.1",
                empty.getBean(DistributorGateway.class).port())) {
            http.write("POST /socket.io/?EIO=4&transport=polling&sid=w1.abc HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: text/plain\r\nContent-Length: 2000\r\nExpect: 100-continue\r\n\r\n");
            assertThat(http.response("a body announced over the limit").status()).isEqualTo(413);
            assertThat(http.closedByPeer()).as("closed, not waiting for the body").isTrue();
        } finally {
            empty.close();
        }
    }

    // ---- helpers

    private String startGateway(String balancing) {
        gateway = cluster.gateway("distributor.gateway.balancing=" + balancing,
                "distributor.gateway.refresh-interval=200ms");
        DistributorGateway started = gateway.getBean(DistributorGateway.class);
        await("the gateway sees the three workers").atMost(WAIT).until(() -> started.workers().size() == WORKERS.size());
        return ChatCluster.gatewayUrl(gateway);
    }

    /** Connects each client in turn (so that the balancer's choices follow one another); their Engine.IO ids. */
    private Map<String, String> connectAll(String url, List<String> ids, Map<String, ?> options) {
        Map<String, String> engineIds = new LinkedHashMap<>();
        for (String id : ids) {
            clients.connect(id, url, "/recorded", null, options);
            connected.add(id);
            JsonNode connect = clients.awaitConnect(id);
            String engineId = connect.get("engineId").asText();
            assertThat(SocketIds.workerOf(connect.get("socketId").asText())).as("%s's socket and session", id)
                    .isEqualTo(SocketIds.workerOf(engineId));
            engineIds.put(id, engineId);
        }
        return engineIds;
    }

    private static List<String> clientIds(String prefix, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            ids.add(prefix + i);
        }
        return ids;
    }

    private static Map<String, Long> countByWorker(Map<String, String> engineIds) {
        return engineIds.values().stream().collect(Collectors.groupingBy(SocketIds::workerOf, Collectors.counting()));
    }

    private String join(String client, String room) throws Exception {
        return clients.emitWithAck(client, "join", room).get(WAIT_SECONDS, TimeUnit.SECONDS).get(0).asText();
    }

    private static EngineServer engine(String workerId) {
        return workers.get(workerId).getBean(DistributorWorker.class).engine();
    }

    private static RawHttpConnection.Response poll(RawHttpConnection http, String sid, Map<String, Long> sent,
            String post) throws Exception {
        sent.merge(SocketIds.workerOf(sid), 1L, Long::sum);
        return http.post("/socket.io/?EIO=4&transport=polling&sid=" + sid, post);
    }

    /** Polls the session until a packet starting with {@code prefix} comes; returns that packet. */
    private static String awaitPacket(RawHttpConnection http, String sid, Map<String, Long> sent, String prefix)
            throws Exception {
        for (int i = 0; i < 10; i++) {
            sent.merge(SocketIds.workerOf(sid), 1L, Long::sum);
            RawHttpConnection.Response response = http.get("/socket.io/?EIO=4&transport=polling&sid=" + sid);
            assertThat(response.status()).as(response.body()).isEqualTo(200);
            for (String packet : response.body().split("\u001e")) {
                if (packet.startsWith(prefix)) {
                    return packet;
                }
            }
        }
        throw new AssertionError("no packet starting with " + prefix + " for " + sid);
    }

    @AfterEach
    void closeSessionsAndGateway() {
        connected.forEach(clients::disconnect);
        connected.forEach(clients::awaitDisconnect);
        await("every session closed").atMost(WAIT).until(() -> WORKERS.stream()
                .allMatch(id -> engine(id).sessionCount() == 0));
        if (gateway != null) {
            gateway.close();
        }
    }
}
