package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.runtime.DistributorBackend;
import io.github.siodistributor.core.transport.WorkerLeases;
import io.github.siodistributor.testsupport.FreePorts;
import io.github.siodistributor.testsupport.NodeClients;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A worker as its own OS process, killed with SIGKILL: the backend (in this JVM) gives the worker's sockets
 * up with the reason "worker lost" within the default bound (lease TTL 5 s + loss grace 2 s + check
 * interval 1 s, under 10 s). While that worker lives, its id cannot be used by another worker; started again with
 * its id (a StatefulSet's pod), it does not keep its earlier run's sockets alive on the backends.
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

    @Test
    void aWorkerStartedAgainWithItsIdBeforeTheBackendsNoticedItsDeathHasItsEarlierSocketsGivenUp() throws Exception {
        int port = FreePorts.find();
        try (ChatCluster cluster = new ChatCluster();
                NodeClients clients = new NodeClients()) {
            // a grace that the restart below comes well within, as a quick restart of a pod would
            ConfigurableApplicationContext backend = cluster.backend(
                    List.of("distributor.backend.worker-loss-grace=15s"), RecordingHandler.class);
            RecordingHandler recorder = backend.getBean(RecordingHandler.class);
            WorkerLeases leases = backend.getBean(WorkerLeases.class);
            String earlier;
            try (SampleProcess worker = SampleProcess.start("worker", workerArguments(cluster, port))) {
                worker.awaitStarted(90);
                clients.connect("earlier", "http://127.0.0.1:" + port, "/recorded", null, null);
                earlier = clients.awaitConnect("earlier").get("socketId").asText();

                worker.kill();
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                        .until(() -> leases.leaseHolders(List.of(WORKER_ID)).isEmpty());
            }
            ConfigurableApplicationContext again = cluster.worker(WORKER_ID,
                    List.of("distributor.worker.namespaces=/recorded"));
            clients.connect("later", ChatCluster.url(again), "/recorded", null, null);
            String later = clients.awaitConnect("later").get("socketId").asText();
            assertThat(leases.leaseHolders(List.of(WORKER_ID))).as("the id's lease is held again").isNotEmpty();

            RecordingHandler.Disconnect disconnect = recorder.disconnects.poll(40, TimeUnit.SECONDS);
            assertThat(disconnect).as("the earlier run's socket given up").isNotNull();
            assertThat(disconnect.socketId()).isEqualTo(earlier);
            assertThat(disconnect.reason()).isEqualTo(DistributorBackend.WORKER_LOST);
            // the later run's socket is neither given up on the backend nor sent away by its worker
            assertThat(backend.getBean(DistributorBackend.class).of("/recorded").sockets())
                    .extracting(IndirectSocket::id).containsExactly(later);
            assertThat(clients.emitWithAck("later", "join", "still-here").get(20, TimeUnit.SECONDS)).isNotNull();
            assertThat(recorder.disconnects).isEmpty();
        }
    }

    private static String[] workerArguments(ChatCluster cluster, int port) {
        return SampleProcess.arguments(cluster.redis(), "--distributor.backend.enabled=false",
                "--distributor.worker.id=" + WORKER_ID, "--distributor.worker.port=" + port,
                "--distributor.worker.namespaces=/recorded");
    }
}
