package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.siodistributor.core.transport.DroppedMessages.Cause;
import io.github.siodistributor.core.transport.DroppedMessages;
import io.github.siodistributor.testsupport.NodeClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two chat backend instances as OS processes sharing the sockets of one worker; one is killed with SIGKILL
 * under load. Its sockets move to the survivor within the heartbeat TTL plus the check interval (5 s + 1 s
 * by default), the survivor's recover handler runs with the socket's handshake and rooms (the chat sample
 * tells the client), and every event sent after the move is handled exactly once and in order.
 */
class BackendFailoverIT {

    private static final int CLIENTS = 16;

    @Test
    void aKilledInstancesSocketsMoveToTheSurvivorWithARecoveryAndNoEventAfterTheMoveIsLostDuplicatedOrReordered()
            throws Exception {
        try (ChatCluster cluster = new ChatCluster(); NodeClients clients = new NodeClients()) {
            ConfigurableApplicationContext worker = cluster.worker("w1");
            String url = ChatCluster.url(worker);
            DroppedMessages dropped = worker.getBean(DroppedMessages.class);
            try (SampleProcess doomed = SampleProcess.start("backend-a", backendArguments(cluster));
                    SampleProcess survivor = SampleProcess.start("backend-b", backendArguments(cluster))) {
                doomed.awaitStarted(90);
                survivor.awaitStarted(90);

                for (int c = 0; c < CLIENTS; c++) {
                    clients.connect("c" + c, url, "/chat", Map.of("name", "c" + c), null);
                }
                for (int c = 0; c < CLIENTS; c++) {
                    clients.awaitConnect("c" + c);
                    clients.emitWithAck("c" + c, "join", "room-" + c).get(20, TimeUnit.SECONDS);
                }

                AtomicInteger sent = new AtomicInteger();
                Map<String, Integer> sentWhenRecovered = new ConcurrentHashMap<>();
                ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
                load.scheduleAtFixedRate(() -> {
                    int n = sent.incrementAndGet();
                    for (int c = 0; c < CLIENTS; c++) {
                        clients.emit("c" + c, "say", Map.of("room", "room-" + c, "text", String.valueOf(n)));
                    }
                }, 0, 10, TimeUnit.MILLISECONDS);
                try {
                    await().atMost(Duration.ofSeconds(20)).until(() -> saidTo(clients, "c0").size() >= 20);
                    doomed.kill();

                    // the recovered clients: those whose socket was on the killed instance; the first within the
                    // heartbeat TTL (5 s) and the workers' check interval (1 s), with room for a busy machine
                    await("a recovery").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                            .until(() -> !noteRecoveries(clients, sent, sentWhenRecovered).isEmpty());
                    // then 50 more rounds of load after the last one
                    await("50 rounds after the last recovery").atMost(Duration.ofSeconds(20))
                            .pollInterval(Duration.ofMillis(20)).until(() -> sent.get() >= noteRecoveries(clients,
                                    sent, sentWhenRecovered).values().stream().mapToInt(Integer::intValue).max()
                                    .orElseThrow() + 50);
                } finally {
                    load.shutdown();
                    assertThat(load.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
                }
                int last = sent.get() + 1;
                for (int c = 0; c < CLIENTS; c++) {
                    // behind every earlier event of the socket: once answered, every earlier one was handled
                    clients.emitWithAck("c" + c, "say", Map.of("room", "room-" + c, "text", String.valueOf(last)))
                            .get(20, TimeUnit.SECONDS);
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    for (int c = 0; c < CLIENTS; c++) {
                        List<Integer> said = saidTo(clients, "c" + c);
                        if (said.isEmpty() || said.get(said.size() - 1) != last) {
                            return false;
                        }
                    }
                    return true;
                });

                for (int c = 0; c < CLIENTS; c++) {
                    String client = "c" + c;
                    List<Integer> said = saidTo(clients, client);
                    assertThat(said).as("what %s's room heard: no event twice, none out of order", client)
                            .isSortedAccordingTo(Integer::compare).doesNotHaveDuplicates();
                    Integer movedAt = sentWhenRecovered.get(client);
                    if (movedAt != null) {
                        List<Integer> afterMove = new ArrayList<>();
                        for (int n = movedAt + 1; n <= last; n++) {
                            afterMove.add(n);
                        }
                        assertThat(said).as("every event %s sent after its socket moved (worker drops: %s)", client,
                                dropsOf(dropped)).containsAll(afterMove);
                        JsonNode recovered = clients.received(client, "recovered").get(0).get("args").get(0);
                        assertThat(recovered.get("reason").asText()).isEqualTo("backend instance lost");
                        assertThat(recovered.get("name").asText()).isEqualTo(client);
                        assertThat(recovered.get("rooms").toString()).contains("room-" + c);
                    }
                }
                assertThat(sentWhenRecovered).as("clients whose socket was on the killed instance").isNotEmpty();
                assertThat(clients.lines()).noneMatch(line -> "disconnect".equals(line.path("type").asText()));
            }
        }
    }

    private static Map<Cause, Long> dropsOf(DroppedMessages dropped) {
        Map<Cause, Long> counts = new java.util.EnumMap<>(Cause.class);
        for (Cause cause : Cause.values()) {
            counts.put(cause, dropped.count(cause));
        }
        return counts;
    }

    /** The numbers a client's own room heard, in arrival order. */
    /** Notes, for each client newly told of its recovery, how many rounds of load had been sent by then. */
    private static Map<String, Integer> noteRecoveries(NodeClients clients, AtomicInteger sent,
            Map<String, Integer> sentWhenRecovered) {
        for (int c = 0; c < CLIENTS; c++) {
            if (!clients.received("c" + c, "recovered").isEmpty()) {
                sentWhenRecovered.putIfAbsent("c" + c, sent.get());
            }
        }
        return sentWhenRecovered;
    }

    private static List<Integer> saidTo(NodeClients clients, String client) {
        List<Integer> numbers = new ArrayList<>();
        for (JsonNode line : clients.received(client, "said")) {
            numbers.add(Integer.parseInt(line.get("args").get(0).get("text").asText()));
        }
        return numbers;
    }

    private static String[] backendArguments(ChatCluster cluster) {
        return SampleProcess.arguments(cluster.redis(), "--distributor.worker.enabled=false");
    }
}
