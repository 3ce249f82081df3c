package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.siodistributor.backend.IndirectServer;
import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.core.transport.DroppedMessages.Cause;
import io.github.siodistributor.core.transport.DroppedMessages;
import io.github.siodistributor.testsupport.NodeClients;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A worker and a backend (separate contexts) whose Redis subscriptions die while their other connections live,
 * and a worker whose outage policy refuses events: health tells the truth, clients stay connected, and a
 * disconnect refused during the outage reaches the backend once Redis is back.
 */
class RedisSubscriptionLossTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static Health health(ConfigurableApplicationContext context, String role) {
        return ((HealthIndicator) context.getBean("distributorHealthContributor", CompositeHealthContributor.class)
                .getContributor(role)).health();
    }

    private static List<JsonNode> disconnects(NodeClients clients) {
        return clients.lines().stream().filter(line -> "disconnect".equals(line.path("type").asText())).toList();
    }

    @Test
    void aDeadSubscriptionWithALiveConnectionReadsDownUntilLettuceResubscribes() throws Exception {
        try (ChatCluster cluster = new ChatCluster("sub-loss");
                NodeClients clients = new NodeClients()) {
            ConfigurableApplicationContext backend = cluster.backend();
            ConfigurableApplicationContext worker = cluster.worker("sub-worker");
            clients.connect("c", ChatCluster.url(worker), "/chat", Map.of("name", "c"), null);
            clients.awaitConnect("c");
            assertThat(clients.emitWithAck("c", "echo", 1).get(20, TimeUnit.SECONDS).get(0).asInt()).isEqualTo(1);
            assertThat(health(worker, "worker").getStatus()).isEqualTo(Status.UP);
            assertThat(health(backend, "backend").getStatus()).isEqualTo(Status.UP);

            assertThat(cluster.redis().cutSubscribers()).as("the worker's and the backend's subscriber connections")
                    .isEqualTo(2);
            try {
                for (Health down : List.of(health(worker, "worker"), health(backend, "backend"))) {
                    assertThat(down.getStatus()).isEqualTo(Status.DOWN);
                    assertThat(down.getDetails()).containsEntry("publishing", "connected");
                    assertThat((String) down.getDetails().get("subscription"))
                            .contains("Redis is reachable, but the subscription is not");
                }
                assertThat((String) health(worker, "worker").getDetails().get("lease")).startsWith("confirmed");
            } finally {
                cluster.redis().admitClients();
            }

            await().atMost(TIMEOUT).until(() -> health(worker, "worker").getStatus().equals(Status.UP)
                    && health(backend, "backend").getStatus().equals(Status.UP));
            assertThat(clients.emitWithAck("c", "echo", 2).get(20, TimeUnit.SECONDS).get(0).asInt()).isEqualTo(2);
            assertThat(disconnects(clients)).isEmpty();
        }
    }

    @Test
    void whatABackendSendsASocketWhileItsWorkerIsNotSubscribedArrivesInOrderOnceItIs() throws Exception {
        try (ChatCluster cluster = new ChatCluster("sub-resend");
                NodeClients clients = new NodeClients()) {
            ConfigurableApplicationContext backend = cluster.backend();
            ConfigurableApplicationContext worker = cluster.worker("resend-worker");
            clients.connect("c", ChatCluster.url(worker), "/chat", Map.of("name", "c"), null);
            String socketId = clients.awaitConnect("c").get("socketId").asText();
            assertThat(clients.emitWithAck("c", "echo", 1).get(20, TimeUnit.SECONDS).get(0).asInt()).isEqualTo(1);
            IndirectSocket socket = backend.getBean(IndirectServer.class).of("/chat").socket(socketId);

            cluster.redis().cutSubscribers();
            try {
                // PUBLISH on the worker's channel reaches nobody now
                for (int i = 1; i <= 5; i++) {
                    socket.emit("notice", i);
                }
            } finally {
                cluster.redis().admitClients();
            }

            await().atMost(TIMEOUT).until(() -> clients.received("c", "notice").size() == 5);
            assertThat(clients.received("c", "notice")).extracting(line -> line.path("args").path(0).asInt())
                    .containsExactly(1, 2, 3, 4, 5);
            assertThat(backend.getBean(DroppedMessages.class).count(Cause.WORKER_UNREACHABLE)).isZero();
        }
    }

    @Test
    void withTheRejectPolicyAnEventThatCannotBeForwardedGetsAnErrorAckAndIsCounted() throws Exception {
        try (ChatCluster cluster = new ChatCluster("reject");
                NodeClients clients = new NodeClients()) {
            ConfigurableApplicationContext backend = cluster.backend();
            ConfigurableApplicationContext worker = cluster.worker("reject-worker",
                    List.of("distributor.redis.outage.policy=reject"));
            DroppedMessages dropped = worker.getBean(DroppedMessages.class);
            clients.connect("c", ChatCluster.url(worker), "/chat", Map.of("name", "c"), null);
            clients.connect("d", ChatCluster.url(worker), "/chat", Map.of("name", "d"), null);
            clients.awaitConnect("c");
            clients.awaitConnect("d");
            assertThat(clients.emitWithAck("c", "echo", 1).get(20, TimeUnit.SECONDS).get(0).asInt()).isEqualTo(1);
            // a room together: the chat tells a member's rooms of its leaving
            for (String client : List.of("c", "d")) {
                clients.emitWithAck(client, "join", "outage").get(20, TimeUnit.SECONDS);
            }

            cluster.redis().stop();
            await().atMost(TIMEOUT).until(() -> health(worker, "worker").getDetails().get("publishing")
                    .equals("outage"));
            JsonNode error = clients.emitWithAck("c", "echo", 2).get(20, TimeUnit.SECONDS).get(0).get("error");
            assertThat(error.get("event").asText()).isEqualTo("echo");
            assertThat(error.get("message").asText()).isEqualTo("the event could not be forwarded: Redis is "
                    + "unreachable (outage policy: reject): not published");
            long refused = dropped.count(Cause.REDIS_UNAVAILABLE);
            assertThat(refused).isPositive();
            clients.emit("c", "echo", 3);
            await().atMost(TIMEOUT).until(() -> dropped.count(Cause.REDIS_UNAVAILABLE) > refused);
            long beforeLeaving = dropped.count(Cause.REDIS_UNAVAILABLE);
            clients.disconnect("d");
            await().atMost(TIMEOUT).until(() -> dropped.count(Cause.REDIS_UNAVAILABLE) > beforeLeaving);

            cluster.redis().start();
            // without a buffer nothing is retried once Redis is back: an event must wait for both subscriptions
            await().atMost(TIMEOUT).until(() -> health(worker, "worker").getStatus().equals(Status.UP)
                    && health(backend, "backend").getStatus().equals(Status.UP));
            assertThat(clients.emitWithAck("c", "echo", 4).get(20, TimeUnit.SECONDS).get(0).asInt()).isEqualTo(4);
            // d's disconnect, refused during the outage, still reaches the backend: its handler tells the others
            clients.awaitEvent("d's leaving, on c", line -> "c".equals(line.path("id").asText())
                    && "presence".equals(line.path("event").asText())
                    && "d".equals(line.path("args").path(0).path("name").asText())
                    && "left".equals(line.path("args").path(0).path("change").asText()), TIMEOUT);
            assertThat(disconnects(clients)).as("only d left").allMatch(line -> "d".equals(line.path("id").asText()));
        }
    }
}
