package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.annotation.OnDisconnect;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import io.github.siodistributor.core.engine.EngineServer;
import io.github.siodistributor.core.engine.EngineSession;
import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.transport.WorkerLeases;
import io.github.siodistributor.core.worker.DistributorWorker;
import io.github.siodistributor.testsupport.NodeClients;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A worker closed gracefully (its application context closed, as on SIGTERM) with a backend in another
 * context: the clients are sent away with an Engine.IO close whatever their transport, each socket's backend
 * hears {@link DistributorWorker#SHUTTING_DOWN} (not "worker lost" later: the disconnects reach Redis
 * before the worker's bus stops), and the worker's id is free at once.
 */
class WorkerShutdownTest {

    private static final String WORKER_ID = "leaving";

    @Test
    void aClosedWorkerSendsItsClientsAwayTellsTheirBackendAndFreesItsId() throws Exception {
        try (ChatCluster cluster = new ChatCluster(); NodeClients clients = new NodeClients()) {
            ConfigurableApplicationContext backend = cluster.backend(RecordingHandler.class);
            RecordingHandler recorder = backend.getBean(RecordingHandler.class);
            ConfigurableApplicationContext worker = cluster.worker(WORKER_ID, RecordingHandler.class);
            String url = ChatCluster.url(worker);

            clients.connect("polling", url, "/recorded", null, Map.of("transports", List.of("polling")));
            clients.connect("websocket", url, "/recorded", null, Map.of("transports", List.of("websocket")));
            Map<String, String> socketIds = new HashMap<>();
            String pollingEngineId = null;
            for (String client : List.of("polling", "websocket")) {
                var connect = clients.awaitConnect(client);
                socketIds.put(client, connect.get("socketId").asText());
                if (client.equals("polling")) {
                    pollingEngineId = connect.get("engineId").asText();
                }
                clients.emitWithAck(client, "join", "before").get(20, TimeUnit.SECONDS);
            }
            // Engine.IO's close packet can only travel on a poll the client has parked
            EngineServer engine = worker.getBean(DistributorWorker.class).engine();
            EngineSession polling = engine.session(pollingEngineId);
            await().atMost(Duration.ofSeconds(10)).until(polling::hasParkedPoll);

            worker.close();

            // a client that was told to go hears "transport close"; one that finds its session gone on its
            // next request hears "transport error"
            for (String client : List.of("polling", "websocket")) {
                assertThat(clients.awaitDisconnect(client).get("reason").asText()).as(client)
                        .isEqualTo("transport close");
            }
            Map<String, String> reasons = new HashMap<>();
            for (int i = 0; i < 2; i++) {
                RecordingHandler.Disconnect disconnect = recorder.disconnects.poll(10, TimeUnit.SECONDS);
                assertThat(disconnect).as("disconnect %d of 2 on the backend", i + 1).isNotNull();
                reasons.put(disconnect.socketId(), disconnect.reason());
            }
            assertThat(reasons).containsOnly(Map.entry(socketIds.get("polling"), DistributorWorker.SHUTTING_DOWN),
                    Map.entry(socketIds.get("websocket"), DistributorWorker.SHUTTING_DOWN));

            // given up, not left to expire: a worker with the same id may start right away
            assertThat(backend.getBean(WorkerLeases.class).leaseHolders(List.of(WORKER_ID))).isEmpty();
            ConfigurableApplicationContext successor = cluster.worker(WORKER_ID, RecordingHandler.class);
            clients.connect("again", ChatCluster.url(successor), "/recorded", null,
                    Map.of("transports", List.of("websocket")));
            assertThat(clients.awaitConnect("again").get("socketId").asText()).startsWith(WORKER_ID + ".");
            assertThat(clients.emitWithAck("again", "join", "after").get(20, TimeUnit.SECONDS).get(0).asText())
                    .isEqualTo("after");
        }
    }

    /**
     * The embedded default: a worker and the namespace's only backend instance in one process that stops. Its
     * sockets' disconnect handlers run, with the shutdown reason: the backend is not handed over first (with no
     * other instance, it would hold the sockets, and no handler would ever hear of them).
     */
    @Test
    void aWorkerWithTheOnlyBackendInstanceInItsProcessRunsItsSocketsDisconnectHandlersWhenItStops() throws Exception {
        try (ChatCluster cluster = new ChatCluster(); NodeClients clients = new NodeClients()) {
            ConfigurableApplicationContext both = cluster.worker("alone", List.of("distributor.backend.enabled=true"),
                    RecordingHandler.class);
            RecordingHandler recorder = both.getBean(RecordingHandler.class);
            clients.connect("alone", ChatCluster.url(both), "/recorded", null,
                    Map.of("transports", List.of("websocket")));
            String socketId = clients.awaitConnect("alone").get("socketId").asText();

            both.close();

            assertThat(recorder.disconnects.poll(10, TimeUnit.SECONDS))
                    .isEqualTo(new RecordingHandler.Disconnect(socketId, DistributorWorker.SHUTTING_DOWN));
        }
    }

    /** Says goodbye to the namespace from its disconnect handler, once the test lets it. */
    @SocketNamespace("/farewell")
    public static class FarewellHandler {
        final CountDownLatch leaving = new CountDownLatch(1);
        final CountDownLatch mayGoOn = new CountDownLatch(1);

        @OnDisconnect
        public void left(IndirectSocket socket) throws InterruptedException {
            leaving.countDown();
            if (mayGoOn.await(30, TimeUnit.SECONDS)) {
                socket.namespace().emit("farewell", socket.id());
            }
        }
    }

    /**
     * What a disconnect handler still sends while its process stops goes out: the stop waits for the handlers it
     * queued (within the hand-over timeout) before the bus stops, and would refuse their emits.
     */
    @Test
    void theDisconnectHandlersOfAStoppingProcessFinishBeforeItsBusStops() throws Exception {
        try (ChatCluster cluster = new ChatCluster(); NodeClients clients = new NodeClients()) {
            ConfigurableApplicationContext both = cluster.worker("farewell", List.of("distributor.backend.enabled=true",
                    "distributor.backend.handover-timeout=30s"), FarewellHandler.class);
            FarewellHandler handler = both.getBean(FarewellHandler.class);
            String channel = new ChannelNames(both.getEnvironment().getProperty("distributor.redis.prefix"))
                    .broadcast("/farewell");
            RedisClient redis = RedisClient.create(RedisURI.create(cluster.redis().host(), cluster.redis().port()));
            try (StatefulRedisPubSubConnection<String, String> subscriber = redis.connectPubSub()) {
                List<String> published = new CopyOnWriteArrayList<>();
                subscriber.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String from, String message) {
                        published.add(message);
                    }
                });
                subscriber.sync().subscribe(channel);
                clients.connect("leaving", ChatCluster.url(both), "/farewell", null,
                        Map.of("transports", List.of("websocket")));
                clients.awaitConnect("leaving");

                CompletableFuture<Void> stopped = CompletableFuture.runAsync(both::close);
                assertThat(handler.leaving.await(20, TimeUnit.SECONDS)).as("the disconnect handler runs").isTrue();
                try {
                    // a stop that does not wait for the handler ends now, its bus stopped under the handler
                    await().atMost(Duration.ofSeconds(3)).until(stopped::isDone);
                } catch (ConditionTimeoutException waitingForTheHandler) {
                    // what it should do
                }
                handler.mayGoOn.countDown();
                stopped.get(30, TimeUnit.SECONDS);

                await().atMost(Duration.ofSeconds(10)).until(() -> published.size() == 1);
            } finally {
                redis.shutdown();
            }
        }
    }
}
