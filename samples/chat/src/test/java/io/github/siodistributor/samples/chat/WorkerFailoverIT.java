package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.siodistributor.backend.runtime.DistributorBackend;
import io.github.siodistributor.core.protocol.SocketIds;
import io.github.siodistributor.core.transport.WorkerLeases;
import io.github.siodistributor.core.worker.DistributorWorker;
import io.github.siodistributor.testsupport.FreePorts;
import io.github.siodistributor.testsupport.NodeClients;
import io.github.siodistributor.testsupport.TcpBalancer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Issue 5 with real processes: two workers from the sample jar behind a {@link TcpBalancer}, the backend in
 * this JVM, JavaScript clients that reconnect by themselves (WebSocket only: the balancer routes per TCP
 * connection). One worker goes away, killed or stopped: its sockets' backend hears why within the bound, its
 * clients come back through the balancer on the other worker and carry on, and the other worker's clients
 * notice nothing.
 */
class WorkerFailoverIT {

    private static final String GOING = "wa";
    private static final String STAYING = "wb";
    private static final List<String> CLIENTS = List.of("c1", "c2", "c3", "c4");
    /** The bound with the defaults: lease TTL 5 s + loss grace 2 s + check interval 1 s. */
    private static final Duration LOSS_BOUND = Duration.ofSeconds(10);
    /**
     * A stopped worker says goodbye itself: well before its lease (30 s in that test) could have expired, with room for
     * a child JVM's cold shutdown on a busy machine.
     */
    private static final Duration SHUTDOWN_BOUND = Duration.ofSeconds(15);
    private static final long ACK_SECONDS = 20;

    private ChatCluster cluster;
    private ConfigurableApplicationContext backend;
    private RecordingHandler recorder;
    private final Map<String, SampleProcess> workers = new LinkedHashMap<>();
    private TcpBalancer balancer;
    private NodeClients clients;
    /** Each client's socket id before the failure. */
    private final Map<String, String> socketIds = new HashMap<>();

    @Test
    void aKilledWorkersSocketsAreGivenUpWithinTheBoundAndItsClientsCarryOnOnTheOtherWorker() throws Exception {
        start();
        List<String> moving = clientsOn(GOING);
        List<String> staying = clientsOn(STAYING);

        long killedAt = System.nanoTime();
        workers.get(GOING).kill();

        Map<String, String> reasons = awaitBackendDisconnects(moving, killedAt + LOSS_BOUND.toNanos());
        assertThat(reasons.values()).containsOnly(DistributorBackend.WORKER_LOST);
        for (String client : moving) {
            // whichever way the dead connection ended for the client (closed or reset), it comes back
            clients.awaitDisconnect(client);
            carriesOnOn(STAYING, client);
        }
        noticedNothing(staying);
    }

    @Test
    void aWorkerStoppedWithSigtermSendsItsClientsToTheOtherWorkerTellsTheBackendAndFreesItsId() throws Exception {
        // a lease that outlives the test: neither the disconnects nor the free id can come from its expiry
        start("--distributor.worker.lease-ttl=30s");
        List<String> moving = clientsOn(GOING);
        List<String> staying = clientsOn(STAYING);
        WorkerLeases leases = backend.getBean(WorkerLeases.class);

        long stoppedAt = System.nanoTime();
        workers.get(GOING).terminate();

        Map<String, String> reasons = awaitBackendDisconnects(moving, stoppedAt + SHUTDOWN_BOUND.toNanos());
        assertThat(reasons.values()).containsOnly(DistributorWorker.SHUTTING_DOWN);
        await("the stopped worker's lease given up").atMost(Duration.ofNanos(Math.max(0,
                stoppedAt + SHUTDOWN_BOUND.toNanos() - System.nanoTime()))).pollInterval(Duration.ofMillis(50))
                .until(() -> leases.leaseHolders(List.of(GOING)).isEmpty());
        for (String client : moving) {
            // sent away in order (a WebSocket close), not cut off
            assertThat(clients.awaitDisconnect(client).get("reason").asText()).as(client).isEqualTo("transport close");
            carriesOnOn(STAYING, client);
        }
        noticedNothing(staying);

        workers.get(GOING).awaitExit(30);
        ConfigurableApplicationContext successor = cluster.worker(GOING, RecordingHandler.class);
        clients.connect("successor", ChatCluster.url(successor), "/recorded", null,
                Map.of("transports", List.of("websocket")));
        assertThat(clients.awaitConnect("successor").get("socketId").asText()).startsWith(GOING + ".");
        assertThat(clients.emitWithAck("successor", "join", "new").get(ACK_SECONDS, TimeUnit.SECONDS).get(0)
                .asText()).isEqualTo("new");
    }

    /** The backend here, two worker processes, the balancer, and the clients spread over both workers. */
    private void start(String... extraWorkerArguments) throws Exception {
        cluster = new ChatCluster();
        backend = cluster.backend(RecordingHandler.class);
        recorder = backend.getBean(RecordingHandler.class);
        int[] ports = new int[2];
        List<String> ids = List.of(GOING, STAYING);
        for (int i = 0; i < ids.size(); i++) {
            ports[i] = FreePorts.find();
            workers.put(ids.get(i), SampleProcess.start(ids.get(i), workerArguments(ids.get(i), ports[i],
                    extraWorkerArguments)));
        }
        for (SampleProcess worker : workers.values()) {
            worker.awaitStarted(90);
        }
        balancer = TcpBalancer.start(ports);
        clients = new NodeClients();
        // one after the other, so that the balancer's turns put some on each worker
        for (String client : CLIENTS) {
            clients.connect(client, balancer.url(), "/recorded", null, Map.of("transports", List.of("websocket"),
                    "reconnection", true, "reconnectionDelay", 200, "reconnectionDelayMax", 1000));
            socketIds.put(client, clients.awaitConnect(client).get("socketId").asText());
            assertThat(clients.emitWithAck(client, "join", "before").get(ACK_SECONDS, TimeUnit.SECONDS).get(0)
                    .asText()).isEqualTo("before");
        }
        assertThat(clientsOn(GOING)).as("clients on %s: %s", GOING, socketIds).isNotEmpty();
        assertThat(clientsOn(STAYING)).as("clients on %s: %s", STAYING, socketIds).isNotEmpty();
    }

    private String[] workerArguments(String id, int port, String... extra) {
        List<String> args = new ArrayList<>(List.of(SampleProcess.arguments(cluster.redis(),
                "--distributor.backend.enabled=false", "--distributor.worker.id=" + id,
                "--distributor.worker.port=" + port, "--distributor.worker.namespaces=/recorded")));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    private List<String> clientsOn(String worker) {
        return CLIENTS.stream().filter(client -> worker.equals(SocketIds.workerOf(socketIds.get(client)))).toList();
    }

    /**
     * The backend's disconnects for the sockets of {@code going}, by socket id, each awaited until
     * {@code deadline}; a disconnect of any other socket fails at once.
     */
    private Map<String, String> awaitBackendDisconnects(List<String> going, long deadline) throws InterruptedException {
        Set<String> expected = going.stream().map(socketIds::get).collect(Collectors.toSet());
        Map<String, String> reasons = new HashMap<>();
        while (!reasons.keySet().containsAll(expected)) {
            long left = deadline - System.nanoTime();
            RecordingHandler.Disconnect disconnect = left > 0 ? recorder.disconnects.poll(left, TimeUnit.NANOSECONDS)
                    : null;
            assertThat(disconnect).as("the backend's disconnects of %s in time; by then it had %s", expected, reasons)
                    .isNotNull();
            assertThat(expected).as("sockets that went away with their worker").contains(disconnect.socketId());
            reasons.put(disconnect.socketId(), disconnect.reason());
        }
        return reasons;
    }

    /** Reconnected through the balancer to {@code worker} as a new socket the backend let in, and working. */
    private void carriesOnOn(String worker, String client) throws Exception {
        String id;
        try {
            id = clients.awaitConnect(client).get("socketId").asText();
        } catch (AssertionError e) {
            // what the workers saw of the reconnection: a connect_error says only what the client saw
            throw new AssertionError(e.getMessage() + workers.entrySet().stream().map(process -> "\n" + process.getKey()
                    + "'s output:\n" + process.getValue().output()).collect(Collectors.joining()), e);
        }
        assertThat(SocketIds.workerOf(id)).as("%s's new socket %s", client, id).isEqualTo(worker);
        assertThat(recorder.handshakes).as("the backend's connects").containsKey(id);
        assertThat(clients.emitWithAck(client, "join", "after").get(ACK_SECONDS, TimeUnit.SECONDS).get(0).asText())
                .isEqualTo("after");
    }

    /** Still on their first socket: no disconnect on either side, and it still answers. */
    private void noticedNothing(List<String> staying) throws Exception {
        for (String client : staying) {
            assertThat(clients.emitWithAck(client, "join", "still").get(ACK_SECONDS, TimeUnit.SECONDS).get(0)
                    .asText()).isEqualTo("still");
        }
        List<JsonNode> seen = clients.lines().stream().filter(line -> staying.contains(line.path("id").asText()))
                .filter(line -> Set.of("disconnect", "connect").contains(line.path("type").asText())).toList();
        assertThat(seen).as("connects and disconnects of the clients that stayed")
                .allSatisfy(line -> assertThat(line.path("type").asText()).isEqualTo("connect"))
                .hasSize(staying.size());
        Set<String> stayingIds = staying.stream().map(socketIds::get).collect(Collectors.toSet());
        assertThat(recorder.disconnects).as("the backend's further disconnects")
                .noneMatch(disconnect -> stayingIds.contains(disconnect.socketId()));
    }

    @AfterEach
    void stop() {
        if (clients != null) {
            clients.close();
        }
        if (balancer != null) {
            balancer.close();
        }
        workers.values().forEach(SampleProcess::close);
        if (cluster != null) {
            cluster.close();
        }
    }
}
