package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.backend.runtime.DistributorBackend;
import io.github.siodistributor.testsupport.FreePorts;
import io.github.siodistributor.testsupport.NodeClients;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A worker as its own OS process, paused with SIGSTOP past its lease TTL and the backend's grace, as a long GC
 * pause or a suspended VM would: the backend (in this JVM) gives its sockets up with the reason "worker lost".
 * When the worker runs again its clients must not stay on sockets no backend knows: it finds the loss the
 * backend recorded at its next lease renewal and sends them away, and they reconnect to new sockets that work.
 */
class PausedWorkerIT {

    private static final String WORKER_ID = "paused";

    @Test
    void aWorkerGivenUpWhilePausedSendsItsClientsAwayAndTheyReconnectToWorkingSockets() throws Exception {
        int port = FreePorts.find();
        try (ChatCluster cluster = new ChatCluster();
                NodeClients clients = new NodeClients()) {
            RecordingHandler recorder = cluster.backend(RecordingHandler.class).getBean(RecordingHandler.class);
            String[] arguments = SampleProcess.arguments(cluster.redis(), "--distributor.backend.enabled=false",
                    "--distributor.worker.id=" + WORKER_ID, "--distributor.worker.port=" + port,
                    "--distributor.worker.namespaces=/recorded");
            try (SampleProcess worker = SampleProcess.start("worker-paused", arguments)) {
                worker.awaitStarted(90);
                // the client's default: it reconnects by itself after a transport close
                clients.connect("victim", "http://127.0.0.1:" + port, "/recorded", null, Map.of("reconnection", true,
                        "reconnectionDelay", 200, "reconnectionDelayMax", 1000));
                String before = clients.awaitConnect("victim").get("socketId").asText();
                assertThat(clients.emitWithAck("victim", "join", "r1").get(20, TimeUnit.SECONDS).get(0).asText())
                        .isEqualTo("r1");

                worker.pause();
                RecordingHandler.Disconnect given;
                try {
                    // lease TTL 5 s + loss grace 2 s + check interval 1 s
                    given = recorder.disconnects.poll(30, TimeUnit.SECONDS);
                } finally {
                    worker.resume();
                }
                assertThat(given).as("the paused worker's socket given up on the backend").isNotNull();
                assertThat(given.socketId()).isEqualTo(before);
                assertThat(given.reason()).isEqualTo(DistributorBackend.WORKER_LOST);

                assertThat(clients.awaitDisconnect("victim").path("reason").asText()).isEqualTo("transport close");
                await("the client reconnected to a new socket the backend knows").atMost(Duration.ofSeconds(30))
                        .until(() -> clients.received("victim", "welcome").size() == 2);
                String after = clients.received("victim", "welcome").get(1).path("args").get(0).asText();
                assertThat(after).isNotEqualTo(before);
                assertThat(recorder.handshakes).containsKey(after);
                assertThat(clients.emitWithAck("victim", "join", "r2").get(20, TimeUnit.SECONDS).get(0).asText())
                        .isEqualTo("r2");
                assertThat(worker.output()).contains("was given up by a backend while its lease was missing");
                assertThat(recorder.disconnects).as("the old socket's disconnect ran once, at the loss").isEmpty();
            }
        }
    }
}
