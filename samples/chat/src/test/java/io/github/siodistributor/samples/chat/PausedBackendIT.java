package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.core.worker.DistributorWorker;
import io.github.siodistributor.testsupport.NodeClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A chat backend instance paused with SIGSTOP past its heartbeat TTL, as a long GC pause or a suspended VM
 * would: the worker presumes it dead and moves its sockets to the other instance. When it runs again it
 * must not keep them (they would stay in its {@code sockets()} for good, and its hand-over would wait its
 * full timeout for them): it forgets each socket the worker tells it moved, and its SIGTERM hand-over finds
 * none left. Also when its subscription was cut while it was paused: the worker tells it again once it is
 * live.
 */
class PausedBackendIT {

    private static final int CLIENTS = 16;
    private static final String FORGOTTEN = "moved to another backend instance; forgotten here";

    @Test
    void aPausedInstanceForgetsTheSocketsThatMovedAwayFromIt() throws Exception {
        pauseOneOfTwoInstances(false);
    }

    @Test
    void aPausedInstanceWhoseSubscriptionWasCutIsToldOnceItIsLiveAgain() throws Exception {
        pauseOneOfTwoInstances(true);
    }

    private static void pauseOneOfTwoInstances(boolean cutSubscriptions) throws Exception {
        try (ChatCluster cluster = new ChatCluster(); NodeClients clients = new NodeClients()) {
            DistributorWorker worker = cluster.worker("w1").getBean(DistributorWorker.class);
            String url = "http://127.0.0.1:" + worker.port();
            // the per-socket "forgotten" line is a debug line
            String[] arguments = SampleProcess.arguments(cluster.redis(), "--distributor.worker.enabled=false",
                    "--logging.level.io.github.siodistributor.backend.runtime.DistributorBackend=debug");
            try (SampleProcess paused = SampleProcess.start("backend-paused", arguments);
                    SampleProcess other = SampleProcess.start("backend-other", arguments)) {
                paused.awaitStarted(90);
                other.awaitStarted(90);
                await("both instances live on the worker").atMost(Duration.ofSeconds(20))
                        .until(() -> worker.backendInstances().get("/chat").size() == 2);
                for (int c = 0; c < CLIENTS; c++) {
                    clients.connect("c" + c, url, "/chat", Map.of("name", "c" + c), null);
                }
                for (int c = 0; c < CLIENTS; c++) {
                    clients.awaitConnect("c" + c);
                    assertThat(echo(clients, c, 0)).isZero();
                }

                paused.pause();
                try {
                    if (cutSubscriptions) {
                        // every subscriber, the paused one included; the others come back at admitClients
                        assertThat(cluster.redis().cutSubscribers()).isEqualTo(3);
                    }
                    try {
                        await("the worker presumes the paused instance dead").atMost(Duration.ofSeconds(30))
                                .until(() -> worker.backendInstances().get("/chat").size() == 1);
                    } finally {
                        if (cutSubscriptions) {
                            cluster.redis().admitClients();
                        }
                    }
                    // answered by the other instance, behind the socket's recovery when it was the paused one's
                    for (int c = 0; c < CLIENTS; c++) {
                        assertThat(echo(clients, c, 1)).isEqualTo(1);
                    }
                } finally {
                    paused.resume();
                }
                List<String> moved = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    if (!clients.received("c" + c, "recovered").isEmpty()) {
                        moved.add("c" + c);
                    }
                }
                assertThat(moved).as("clients whose socket was on the paused instance").isNotEmpty();

                await("the paused instance forgets every moved socket").atMost(Duration.ofSeconds(30))
                        .until(() -> occurrences(paused.output(), FORGOTTEN) == moved.size());
                assertThat(paused.output()).contains("past its TTL (5000 ms): it was paused or cut off from Redis");
                paused.terminate();
                paused.awaitExit(60);
                assertThat(paused.output()).contains("handed all its sockets over").doesNotContain("not handed over");
                assertThat(occurrences(other.output(), FORGOTTEN)).isZero();

                for (int c = 0; c < CLIENTS; c++) {
                    assertThat(echo(clients, c, 2)).isEqualTo(2);
                }
                assertThat(clients.lines()).noneMatch(line -> "disconnect".equals(line.path("type").asText()));
            }
        }
    }

    private static int echo(NodeClients clients, int client, int value) throws Exception {
        return clients.emitWithAck("c" + client, "echo", value).get(30, TimeUnit.SECONDS).get(0).asInt();
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            count++;
        }
        return count;
    }
}
