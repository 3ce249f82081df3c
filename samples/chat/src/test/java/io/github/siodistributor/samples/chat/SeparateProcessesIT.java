package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.siodistributor.testsupport.FreePorts;
import io.github.siodistributor.testsupport.NodeClients;
import io.github.siodistributor.testsupport.TestRedis;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The sample jar as two OS processes, a worker and a backend, on one real Redis. */
class SeparateProcessesIT {

    @Test
    void aClientRoundTripCrossesTheWorkerAndBackendProcesses() throws Exception {
        int workerPort = FreePorts.find();
        try (TestRedis redis = TestRedis.startNew();
                SampleProcess backend = SampleProcess.start("backend", SampleProcess.arguments(redis, "--distributor.worker.enabled=false"));
                SampleProcess worker = SampleProcess.start("worker", SampleProcess.arguments(redis, "--distributor.backend.enabled=false",
                        "--distributor.worker.id=proc-worker", "--distributor.worker.port=" + workerPort));
                NodeClients clients = new NodeClients()) {
            backend.awaitStarted(90);
            worker.awaitStarted(90);
            // each role's start-up line: id, address, namespaces, Redis target
            String redisTarget = "(Redis 127.0.0.1:" + redis.port() + ", prefix ";
            assertThat(worker.output()).contains("Distributor worker proc-worker listening on 0.0.0.0:" + workerPort
                    + " (NIO) for /chat " + redisTarget).doesNotContain("Distributor backend");
            assertThat(backend.output()).doesNotContain("Distributor worker").containsPattern(
                    "Distributor backend [0-9a-f-]{36} handling /chat \\(Redis 127\\.0\\.0\\.1:" + redis.port());

            String url = "http://127.0.0.1:" + workerPort;
            clients.connect("p", url, "/chat", Map.of("name", "proc"), null);
            clients.awaitConnect("p");
            JsonNode me = clients.emitWithAck("p", "whoami").get(20, TimeUnit.SECONDS).get(0);
            assertThat(me.get("name").asText()).isEqualTo("proc");
            assertThat(me.get("id").asText()).startsWith("proc-worker.");
            clients.emitWithAck("p", "join", "proc-room").get(20, TimeUnit.SECONDS);
            clients.emitWithAck("p", "say", Map.of("room", "proc-room", "text", "between processes"))
                    .get(20, TimeUnit.SECONDS);
            assertThat(clients.awaitEvent("p", "said").get("args").get(0).get("text").asText())
                    .isEqualTo("between processes");
        }
    }

}
