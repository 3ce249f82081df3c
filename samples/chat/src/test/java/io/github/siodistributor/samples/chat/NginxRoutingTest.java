package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.siodistributor.core.protocol.SocketIds;
import io.github.siodistributor.core.worker.DistributorWorker;
import io.github.siodistributor.testsupport.FreePorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The nginx configuration of {@code docs/deployment.md}, read from the document, run by Debian's nginx in front
 * of three workers: real JavaScript clients, long-polling only and with default settings, have every request of
 * their sessions routed to the worker the sid names. Skipped when nginx is not installed ({@code .ci/run}
 * installs it).
 */
class NginxRoutingTest extends ChatClusterTestSupport {

    private static final Path NGINX = Path.of("/usr/sbin/nginx");
    private static final Duration WAIT = Duration.ofSeconds(WAIT_SECONDS);
    private static final Map<String, ConfigurableApplicationContext> workers = new LinkedHashMap<>();

    @TempDir
    Path dir;
    private Process nginx;

    @BeforeAll
    static void startCluster() {
        assumeTrue(Files.isExecutable(NGINX), "nginx is not installed at " + NGINX + ": the tested nginx configuration "
                + "of docs/deployment.md is not exercised (apt-get install nginx-light; .ci/run installs it)");
        cluster = new ChatCluster();
        cluster.backend(RecordingHandler.class);
        for (String id : List.of("w1", "w2", "w3")) {
            workers.put(id, cluster.worker(id, RecordingHandler.class));
        }
    }

    @Test
    void pollingAndDefaultClientsThroughNginxReachTheWorkerTheirSidNames() throws Exception {
        String url = startNginx();
        WorkerRequests requests = WorkerRequests.since(workers);
        Map<String, String> engineIds = new LinkedHashMap<>();
        for (String client : List.of("p1", "p2", "p3", "p4", "p5", "p6", "d1", "d2", "d3")) {
            clients.connect(client, url, "/recorded", null, client.startsWith("p")
                    ? Map.of("transports", List.of("polling")) : null);
            JsonNode connect = clients.awaitConnect(client);
            String engineId = connect.get("engineId").asText();
            assertThat(SocketIds.workerOf(connect.get("socketId").asText())).isEqualTo(SocketIds.workerOf(engineId));
            engineIds.put(client, engineId);
        }
        for (String client : List.of("d1", "d2", "d3")) {
            assertThat(clients.awaitUpgrade(client).get("transport").asText()).isEqualTo("websocket");
        }
        assertThat(engineIds.values().stream().map(SocketIds::workerOf).distinct())
                .as("nginx's round-robin over the upstream for new sessions").hasSize(3);
        for (int round = 0; round < 2; round++) {
            for (String client : engineIds.keySet()) {
                assertThat(clients.emitWithAck(client, "join", "r" + round).get(WAIT_SECONDS, TimeUnit.SECONDS).get(0)
                        .asText()).isEqualTo("r" + round);
            }
        }
        requests.assertEveryRequestReachedItsOwner(clients, engineIds, WAIT);
    }

    /** nginx in the foreground with the document's configuration, its files in the temporary directory. */
    private String startNginx() throws Exception {
        String documented = Files.readString(docs().resolve("deployment.md"));
        int start = documented.indexOf("<!-- nginx-config-start -->");
        int end = documented.indexOf("<!-- nginx-config-end -->");
        assertThat(start).as("the nginx configuration in docs/deployment.md").isNotNegative();
        String block = documented.substring(start, end);
        String http = block.substring(block.indexOf("```nginx") + "```nginx".length(), block.lastIndexOf("```"));
        int port = FreePorts.find();
        int worker = 1;
        for (ConfigurableApplicationContext context : workers.values()) {
            http = http.replace("worker-" + worker++ + ".internal:9092",
                    "127.0.0.1:" + context.getBean(DistributorWorker.class).port());
        }
        http = http.replace("listen 80;", "listen 127.0.0.1:" + port + ";");
        for (String temp : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
            Files.createDirectories(dir.resolve(temp));
        }
        String config = """
                daemon off;
                master_process on;
                worker_processes 1;
                %s
                pid %s;
                error_log %s info;
                events { worker_connections 512; }
                http {
                    access_log %s;
                    client_body_temp_path %s;
                    proxy_temp_path %s;
                    fastcgi_temp_path %s;
                    uwsgi_temp_path %s;
                    scgi_temp_path %s;
                %s
                }
                """.formatted("root".equals(System.getProperty("user.name")) ? "user root;" : "",
                dir.resolve("nginx.pid"), dir.resolve("error.log"), dir.resolve("access.log"),
                dir.resolve("client_body"), dir.resolve("proxy"), dir.resolve("fastcgi"), dir.resolve("uwsgi"),
                dir.resolve("scgi"), http);
        Path file = dir.resolve("nginx.conf");
        Files.writeString(file, config, StandardCharsets.UTF_8);
        nginx = new ProcessBuilder(NGINX.toString(), "-p", dir.toString(), "-e", dir.resolve("error.log").toString(),
                "-c", file.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile())
                .start();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!FreePorts.accepts(port)) {
            if (!nginx.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("nginx did not start listening on " + port + "; its output:\n"
                        + Files.readString(dir.resolve("nginx.out")) + "\nerror.log:\n" + errorLog());
            }
            Thread.onSpinWait();
        }
        return "http://127.0.0.1:" + port;
    }


    private String errorLog() throws IOException {
        Path log = dir.resolve("error.log");
        return Files.exists(log) ? Files.readString(log) : "(none)";
    }

    private static Path docs() {
        for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
            if (Files.isRegularFile(at.resolve("docs/deployment.md"))) {
                return at.resolve("docs");
            }
        }
        throw new IllegalStateException("docs/deployment.md not found above " + Path.of("").toAbsolutePath());
    }

    @AfterEach
    void stopNginx() throws InterruptedException {
        if (nginx != null) {
            // SIGTERM: nginx's fast shutdown, the master takes its worker process with it
            nginx.destroy();
            if (!nginx.waitFor(20, TimeUnit.SECONDS)) {
                nginx.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
