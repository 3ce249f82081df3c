package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.siodistributor.backend.runtime.DistributorBackend;
import io.github.siodistributor.testsupport.FreePorts;
import io.github.siodistributor.testsupport.NodeClients;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A worker as its own OS process, killed with SIGKILL: the backend (in this JVM) gives the worker's sockets
 * up with the reason "worker lost" within the default bound (lease TTL 5 s + loss grace 2 s + check
 * interval 1 s, under 10 s). While that worker lives, its id cannot be used by another worker.
 */
class WorkerLossIT {

    private static final String WORKER_ID = "doomed";

    @Test
    void aKilledWorkersSocketsAreDisconnectedOnTheBackendWithinTheBound() throws Exception {
        int port = FreePorts.find();
        try (ChatCluster cluster = new ChatCluster();
                NodeClients clients = new NodeClients()) {
            RecordingHandler recorder = cluster.backend(RecordingHandler.class).getBean(RecordingHandler.class);
            try (SampleProcess worker = SampleProcess.start("worker", workerArguments(cluster, port))) {
                worker.awaitStarted(90);

                // the live worker holds its id: a second worker with the same id is refused at start-up
                assertThatThrownBy(() -> cluster.worker(WORKER_ID, RecordingHandler.class))
                        .rootCause().hasMessageContaining("Worker id '" + WORKER_ID + "' is already in use")
                        .hasMessageContaining("distributor.worker.id");

                clients.connect("victim", "http://127.0.0.1:" + port, "/recorded", null, null);
                String id = clients.awaitConnect("victim").get("socketId").asText();
                clients.emitWithAck("victim", "join", "doomed-room").get(20, TimeUnit.SECONDS);

                worker.kill();

                RecordingHandler.Disconnect disconnect = recorder.disconnects.poll(10, TimeUnit.SECONDS);
                assertThat(disconnect).as("a disconnect within 10 s of the kill").isNotNull();
                assertThat(disconnect.socketId()).isEqualTo(id);
                assertThat(disconnect.reason()).isEqualTo(DistributorBackend.WORKER_LOST);
            }
        }
    }

    private static String[] workerArguments(ChatCluster cluster, int port) {
        return SampleProcess.arguments(cluster.redis(), "--distributor.backend.enabled=false",
                "--distributor.worker.id=" + WORKER_ID, "--distributor.worker.port=" + port,
                "--distributor.worker.namespaces=/recorded");
    }
}
