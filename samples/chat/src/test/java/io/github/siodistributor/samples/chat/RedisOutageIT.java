package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.siodistributor.testsupport.FreePorts;
import io.github.siodistributor.testsupport.NodeClients;
import io.github.siodistributor.testsupport.TestRedis;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Redis stopped and started again under load, beneath a worker process and a backend process of the sample jar
 * with JavaScript clients on the worker: both processes read DOWN on {@code /actuator/health/distributor} while
 * Redis is gone and UP once it is back, no client is disconnected, the events sent meanwhile are held (the
 * default outage policy) and answered once Redis is back, and nothing is lost; no process is restarted.
 */
class RedisOutageIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final List<String> CLIENTS = List.of("c0", "c1", "c2");
    /** Long enough for an event held over the whole outage to be answered after it. */
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(120);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    /** One emit with ack of the load: its payload and the client's answer. */
    private record Echo(int sequence, CompletableFuture<List<JsonNode>> ack) {
    }

    @Test
    void bothProcessesRideOutARedisRestartUnderLoadAndTheirHealthSaysSo() throws Exception {
        int workerPort = FreePorts.find();
        int workerHttp = FreePorts.find();
        int backendHttp = FreePorts.find();
        ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
        try (TestRedis redis = TestRedis.startNew();
                SampleProcess backend = SampleProcess.start("backend", arguments(redis, backendHttp,
                        "--distributor.worker.enabled=false"));
                SampleProcess worker = SampleProcess.start("worker", arguments(redis, workerHttp,
                        "--distributor.backend.enabled=false", "--distributor.worker.id=outage-worker",
                        "--distributor.worker.port=" + workerPort));
                NodeClients clients = new NodeClients()) {
            backend.awaitStarted(90);
            worker.awaitStarted(90);
            awaitRole(workerHttp, "worker", "UP");
            awaitRole(backendHttp, "backend", "UP");

            for (String id : CLIENTS) {
                clients.connect(id, "http://127.0.0.1:" + workerPort, "/chat", Map.of("name", id), null);
                clients.awaitConnect(id);
            }
            List<Echo> echoes = new CopyOnWriteArrayList<>();
            // a steady stream of emits with ack, round-robin over the clients; bounded in count
            load.scheduleAtFixedRate(() -> {
                int sequence = echoes.size();
                if (sequence < 5_000) {
                    echoes.add(new Echo(sequence, clients.emitWithAck(ACK_TIMEOUT, CLIENTS.get(sequence
                            % CLIENTS.size()), "echo", sequence)));
                }
            }, 0, 20, TimeUnit.MILLISECONDS);
            await().atMost(TIMEOUT).until(() -> echoes.stream().filter(echo -> echo.ack().isDone()).count() >= 30);

            redis.stop();
            JsonNode workerDown = awaitRole(workerHttp, "worker", "DOWN");
            JsonNode backendDown = awaitRole(backendHttp, "backend", "DOWN");
            assertThat(workerDown.path("details").path("subscription").asText()).contains("Redis");
            assertThat(backendDown.path("details").path("subscription").asText()).contains("Redis");

            // events sent while Redis is gone are held by the worker, not refused
            int outageStart = echoes.size();
            await().atMost(TIMEOUT).until(() -> echoes.size() >= outageStart + 30);
            // a copy first: a view of the list fails once the load adds to it
            List<Echo> duringOutage = List.copyOf(echoes).subList(outageStart, outageStart + 30);
            JsonNode holding = awaitRole(workerHttp, "worker", "DOWN");
            assertThat(holding.path("details").path("publishing").asText()).isEqualTo("outage");
            assertThat(holding.path("details").path("heldMessages").asInt()).isGreaterThanOrEqualTo(30);
            assertThat(holding.path("details").path("notPublished").asLong()).as("worker output:%n%s", worker.output())
                    .isZero();
            assertThat(duringOutage).noneMatch(echo -> echo.ack().isDone());
            assertThat(disconnects(clients)).as("clients stay connected to their worker").isEmpty();

            redis.start();
            awaitRole(workerHttp, "worker", "UP");
            awaitRole(backendHttp, "backend", "UP");

            // the load goes on after the recovery; then every echo, held or not, is answered with its own payload
            int recovered = echoes.size();
            await().atMost(TIMEOUT).until(() -> echoes.size() >= recovered + 30);
            load.shutdown();
            assertThat(load.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
            List<String> wrong = new ArrayList<>();
            for (Echo echo : echoes) {
                String answer = echo.ack().handle((args, failure) -> failure != null ? failure.toString()
                        : args.size() == 1 && args.get(0).asInt() == echo.sequence() ? null : args.toString()).join();
                if (answer != null) {
                    wrong.add(echo.sequence() + ": " + answer);
                }
            }
            assertThat(wrong).as("echoes not answered with their payload (outage from %d, recovered at %d of %d);"
                    + "%nworker:%n%s%nbackend:%n%s", outageStart, recovered, echoes.size(), worker.output(),
                    backend.output()).isEmpty();
            for (String id : CLIENTS) {
                assertThat(clients.emitWithAck(id, "echo", id).get(20, TimeUnit.SECONDS).get(0).asText()).isEqualTo(id);
            }
            assertThat(disconnects(clients)).isEmpty();
            JsonNode workerUp = awaitRole(workerHttp, "worker", "UP");
            assertThat(workerUp.path("details").path("notPublished").asLong()).isZero();
            assertThat(workerUp.path("details").path("lease").asText()).startsWith("confirmed in Redis");
            assertThat(worker.output()).contains("Redis is unreachable: holding publishes")
                    .contains("Redis is reachable again");
            // the restarted Redis lost the worker's lease; the worker took it again before the backend gave up on it
            assertThat(worker.output()).contains("found its lease");
            assertThat(backend.output()).doesNotContain("Worker 'outage-worker' is gone");
        } finally {
            load.shutdownNow();
        }
    }

    /**
     * Both processes stopped (SIGTERM) while Redis is down, with a client connected: neither waits for Redis to
     * answer what it would tell it at a normal stop (the backend leaving the registry, the worker's unsubscribes and
     * its lease), which would take Lettuce's whole command timeout per call, here two minutes each. The backends
     * learn of the worker from its lease expiring, the workers of the backend from its heartbeat.
     */
    @Test
    void bothProcessesStopWithoutWaitingForARedisThatIsDown() throws Exception {
        int workerPort = FreePorts.find();
        int workerHttp = FreePorts.find();
        int backendHttp = FreePorts.find();
        String commandTimeout = "--spring.data.redis.timeout=2m";
        try (TestRedis redis = TestRedis.startNew();
                SampleProcess backend = SampleProcess.start("backend", arguments(redis, backendHttp,
                        "--distributor.worker.enabled=false", commandTimeout));
                SampleProcess worker = SampleProcess.start("worker", arguments(redis, workerHttp,
                        "--distributor.backend.enabled=false", "--distributor.worker.port=" + workerPort,
                        commandTimeout));
                NodeClients clients = new NodeClients()) {
            backend.awaitStarted(90);
            worker.awaitStarted(90);
            awaitRole(workerHttp, "worker", "UP");
            awaitRole(backendHttp, "backend", "UP");
            clients.connect("c0", "http://127.0.0.1:" + workerPort, "/chat", Map.of("name", "c0"), null);
            clients.awaitConnect("c0");
            assertThat(clients.emitWithAck("c0", "echo", "before").get(20, TimeUnit.SECONDS).get(0).asText())
                    .isEqualTo("before");

            redis.stop();
            awaitRole(workerHttp, "worker", "DOWN");
            awaitRole(backendHttp, "backend", "DOWN");
            worker.terminate();
            backend.terminate();

            // well under one command timeout
            worker.awaitExit(60);
            backend.awaitExit(60);
            assertThat(worker.output()).contains("stops while Redis is unreachable: its lease expires within its TTL");
            assertThat(backend.output()).contains("leaves while Redis is unreachable: its registry entries expire");
        }
    }

    private static String[] arguments(TestRedis redis, int httpPort, String... role) {
        List<String> args = new ArrayList<>(List.of("--distributor.redis.embedded.enabled=false",
                "--spring.data.redis.host=" + redis.host(), "--spring.data.redis.port=" + redis.port(),
                "--server.port=" + httpPort, "--server.address=127.0.0.1",
                "--management.endpoint.health.show-details=always",
                "--management.endpoint.health.show-components=always"));
        args.addAll(List.of(role));
        return args.toArray(String[]::new);
    }

    private static List<JsonNode> disconnects(NodeClients clients) {
        return clients.lines().stream().filter(line -> "disconnect".equals(line.path("type").asText())).toList();
    }

    /** Polls the process's distributor health until the role's component has the status; returns that component. */
    private JsonNode awaitRole(int httpPort, String role, String status) {
        JsonNode[] seen = new JsonNode[1];
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
            JsonNode component = distributorHealth(httpPort).path("components").path(role);
            seen[0] = component;
            return status.equals(component.path("status").asText());
        });
        return seen[0];
    }

    private JsonNode distributorHealth(int httpPort) throws IOException, InterruptedException {
        // only the distributor entry: Spring Boot's own Redis indicator waits for its command timeout meanwhile
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                + "/actuator/health/distributor")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isIn(200, 503);
        return json.readTree(response.body());
    }
}
