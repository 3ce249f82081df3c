package io.github.siodistributor.samples.multinamespace;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.siodistributor.testsupport.NodeClients;
import io.github.siodistributor.testsupport.TestRedis;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The demo as {@code run.sh} starts it: a backend process per namespace and two workers on one Redis. One
 * JavaScript client connection per worker (one Engine.IO session) reaches all three backends, and
 * {@code run.sh stop} ends every process.
 */
class MultiNamespaceIT {

    private static final List<String> NAMESPACES = List.of("/chat", "/gameA", "/gameB");
    private static final Pattern WORKER_LINE = Pattern.compile("^worker (w\\d) (http://\\S+)$", Pattern.MULTILINE);
    private static final long SCRIPT_SECONDS = 300;

    private final Path sample = Path.of(System.getProperty("sample.dir", ".")).toAbsolutePath();
    private final Path runDir = sample.resolve("target/it-run");

    @Test
    void oneConnectionPerWorkerMultiplexesTheThreeBackendProcesses() throws Exception {
        try (TestRedis redis = TestRedis.startNew()) {
            Map<String, String> env = Map.of("REDIS_URL", redis.uri(), "RUN_DIR", runDir.toString());
            try {
                String started = script(env, "start");
                Map<String, Long> pids = pids("chat", "gameA", "gameB", "w1", "w2");
                Map<String, String> workers = new LinkedHashMap<>();
                Matcher line = WORKER_LINE.matcher(started);
                while (line.find()) {
                    workers.put(line.group(1), line.group(2));
                }
                assertThat(workers).as("worker lines of run.sh start:%n%s", started).containsOnlyKeys("w1", "w2");

                try (NodeClients clients = new NodeClients()) {
                    for (Map.Entry<String, String> worker : workers.entrySet()) {
                        talkToEveryBackendOverOneConnection(clients, worker.getKey(), worker.getValue(), pids);
                    }
                    // a game's state is in its one backend process, whichever worker the move came through
                    assertThat(ack(clients, "w1/gameA", "move", "e4").asInt()).isEqualTo(1);
                    assertThat(ack(clients, "w2/gameA", "move", "e5").asInt()).isEqualTo(2);
                    assertThat(ack(clients, "w2/gameB", "move", "d4").asInt()).isEqualTo(1);
                    // a chat broadcast reaches the chat sockets of both workers
                    ack(clients, "w2/chat", "say", "hi all");
                    for (String id : List.of("w1/chat", "w2/chat")) {
                        assertThat(clients.awaitEvent(id, "said").get("args").get(0).asText()).isEqualTo("hi all");
                    }
                }

                assertThat(script(env, "demo")).contains(workers.get("w1") + ": one connection",
                        workers.get("w2") + ": one connection", "/gameB  move d4 is turn 2");

                assertThat(script(env, "stop")).contains("stopped w1", "stopped w2", "stopped chat",
                        "stopped gameA", "stopped gameB");
                for (Map.Entry<String, Long> process : pids.entrySet()) {
                    assertThat(ProcessHandle.of(process.getValue()).map(ProcessHandle::isAlive).orElse(false))
                            .as("%s (pid %d) after run.sh stop", process.getKey(), process.getValue()).isFalse();
                }
            } finally {
                script(env, "stop"); // a no-op when the test stopped them; otherwise nothing stays behind
            }
        }
    }

    /** Opens /chat through the worker, then /gameA and /gameB over the same Manager, and says hello to each. */
    private static void talkToEveryBackendOverOneConnection(NodeClients clients, String worker, String url,
            Map<String, Long> pids) throws Exception {
        String first = worker + NAMESPACES.get(0);
        clients.connect(first, url, NAMESPACES.get(0), Map.of(), null);
        String engineId = clients.awaitConnect(first).get("engineId").asText();
        for (String namespace : NAMESPACES.subList(1, NAMESPACES.size())) {
            clients.connectOnSameConnection(worker + namespace, first, namespace, Map.of());
            assertThat(clients.awaitConnect(worker + namespace).get("engineId").asText())
                    .as("Engine.IO session of %s%s", worker, namespace).isEqualTo(engineId);
        }
        for (String namespace : NAMESPACES) {
            JsonNode hello = ack(clients, worker + namespace, "hello");
            assertThat(hello.get("namespace").asText()).isEqualTo(namespace);
            assertThat(hello.get("pid").asLong()).as("the process that answered %s via %s", namespace, worker)
                    .isEqualTo(pids.get(namespace.substring(1)));
        }
        JsonNode connectLine = clients.lines().stream()
                .filter(line -> "connect".equals(line.path("type").asText()) && first.equals(line.path("id").asText()))
                .findFirst().orElseThrow();
        assertThat(connectLine.get("socketId").asText()).startsWith(worker + ".");
    }

    private static JsonNode ack(NodeClients clients, String id, String event, Object... args) throws Exception {
        return clients.emitWithAck(id, event, args).get(20, TimeUnit.SECONDS).get(0);
    }

    private Map<String, Long> pids(String... names) throws IOException {
        Map<String, Long> pids = new LinkedHashMap<>();
        for (String name : names) {
            pids.put(name, Long.parseLong(Files.readString(runDir.resolve(name + ".pid")).trim()));
        }
        return pids;
    }

    /** Runs {@code run.sh <command>}; fails with its output unless it exits 0 in time. */
    private String script(Map<String, String> env, String command) throws Exception {
        Path output = Files.createTempFile("run-sh-" + command, ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder("bash", sample.resolve("run.sh").toString(), command)
                    .redirectErrorStream(true).redirectOutput(output.toFile());
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(SCRIPT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("run.sh " + command + " still running after " + SCRIPT_SECONDS + " s:\n"
                        + Files.readString(output, StandardCharsets.UTF_8));
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(process.exitValue()).as("run.sh %s exit code; output:%n%s", command, text).isZero();
            return text;
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
