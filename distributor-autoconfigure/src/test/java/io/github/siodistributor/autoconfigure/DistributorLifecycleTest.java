package io.github.siodistributor.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.backend.annotation.OnEvent;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import io.github.siodistributor.backend.runtime.DistributorBackend;
import io.github.siodistributor.core.gateway.DistributorGateway;
import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.worker.DistributorWorker;
import io.github.siodistributor.testsupport.NodeClients;
import io.github.siodistributor.testsupport.TestRedis;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.TimeUnit;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.github.siodistributor.core.transport.PublishState;
import io.github.siodistributor.core.transport.RedisMessageBus;
import io.github.siodistributor.core.protocol.Handshake;
import io.github.siodistributor.core.protocol.Message.SocketConnected;
import io.github.siodistributor.core.protocol.MessageCodec;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;

/**
 * The distributor's lifecycle in its application context: a paused context (Spring's test context cache pauses
 * the contexts it keeps between test classes) keeps every role running, and a start that fails half-way leaves
 * nothing behind in Redis.
 */
class DistributorLifecycleTest {

    @AutoClose
    private static final TestRedis redis = TestRedis.startNew();
    @AutoClose
    private static final NodeClients clients = new NodeClients();

    @SocketNamespace("/lifecycle")
    static class LifecycleHandler {

        @OnEvent("ping")
        public String ping() {
            return "pong";
        }
    }

    @Test
    void aPausedAndRestartedContextKeepsItsWorkerGatewayAndBackendRunning() {
        DistributorRunners.bothRoles(redis.port(), DistributorGatewayAutoConfiguration.class)
                .withPropertyValues("distributor.gateway.enabled=true", "distributor.gateway.port=0",
                        "distributor.gateway.host=127.0.0.1")
                .withBean(LifecycleHandler.class)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    DistributorWorker worker = context.getBean(DistributorWorker.class);
                    DistributorGateway gateway = context.getBean(DistributorGateway.class);
                    int workerPort = worker.port();
                    int gatewayPort = gateway.port();
                    ConfigurableApplicationContext application =
                            (ConfigurableApplicationContext) context.getSourceApplicationContext();

                    application.pause();
                    application.restart();

                    assertThat(worker.port()).isEqualTo(workerPort);
                    assertThat(gateway.port()).isEqualTo(gatewayPort);
                    for (int port : new int[] { workerPort, gatewayPort }) {
                        try (Socket connected = new Socket("127.0.0.1", port)) {
                            assertThat(connected.isConnected()).as("still listening on %d", port).isTrue();
                        }
                    }
                    assertThat(context.getBean(DistributorBackend.class).registration().registered()).isTrue();
                });
    }

    /**
     * A pause stops Spring Data Redis's connection factory (it is pauseable), and with it every connection the
     * distributor had from it; the restart starts it again. The distributor carries on with new ones: a client's
     * event still reaches its handler through Redis, and the answer comes back.
     */
    @Test
    void aPausedAndRestartedContextStillCarriesClientEventsThroughRedis() {
        DistributorRunners.bothRoles(redis.port()).withBean(LifecycleHandler.class).run(context -> {
            assertThat(context).hasNotFailed();
            String url = "http://127.0.0.1:" + context.getBean(DistributorWorker.class).port();
            ConfigurableApplicationContext application =
                    (ConfigurableApplicationContext) context.getSourceApplicationContext();
            clients.connect("before", url, "/lifecycle");
            clients.awaitConnect("before");
            assertThat(clients.emitWithAck("before", "ping").get(20, TimeUnit.SECONDS)).extracting(JsonNode::asText)
                    .containsExactly("pong");

            application.pause();
            application.restart();

            assertThat(clients.emitWithAck("before", "ping").get(20, TimeUnit.SECONDS)).extracting(JsonNode::asText)
                    .as("a socket of before the pause").containsExactly("pong");
            clients.connect("after", url, "/lifecycle");
            clients.awaitConnect("after");
            assertThat(clients.emitWithAck("after", "ping").get(20, TimeUnit.SECONDS)).extracting(JsonNode::asText)
                    .as("a socket of after the pause").containsExactly("pong");
            assertThat(context.getBean(RedisMessageBus.class).checkSubscription(Duration.ofSeconds(5)).join().alive())
                    .as("the health probe's round trip").isTrue();
        });
    }

    /**
     * Plays a web server: Spring Boot's starts in {@code DEFAULT_PHASE - 2048} and drains its requests in {@code
     * DEFAULT_PHASE - 1024} on stopping; a request handled meanwhile may emit. Records the bus's state at its start
     * and its stop.
     */
    static class WebServerLike implements SmartLifecycle {
        private final RedisMessageBus bus;
        final List<PublishState.Phase> seen = new CopyOnWriteArrayList<>();
        private volatile boolean running;

        WebServerLike(RedisMessageBus bus) {
            this.bus = bus;
        }

        @Override
        public void start() {
            seen.add(bus.publishState().phase());
            running = true;
        }

        @Override
        public void stop() {
            seen.add(bus.publishState().phase());
            running = false;
        }

        @Override
        public boolean isRunning() {
            return running;
        }

        @Override
        public int getPhase() {
            return SmartLifecycle.DEFAULT_PHASE - 2048;
        }
    }

    @Test
    void theDistributorRunsFromBeforeTheWebServerStartsToAfterItStopped() {
        List<PublishState.Phase> seen = new ArrayList<>();
        DistributorRunners.bothRoles(redis.port()).withBean(LifecycleHandler.class)
                .withBean(WebServerLike.class)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    WebServerLike webServer = context.getBean(WebServerLike.class);
                    context.getSourceApplicationContext().close();
                    seen.addAll(webServer.seen);
                });
        assertThat(seen).containsExactly(PublishState.Phase.CONNECTED, PublishState.Phase.CONNECTED);
    }

    /**
     * A worker and a backend in one process that stops: the backend's hand-over to the other instances starts once
     * the worker has closed (its port first), or a client arriving meanwhile would be cut moments later. The backend
     * also holds a socket of a worker that never answers, so that its hand-over lasts (up to its timeout, 3 s).
     */
    @Test
    void aStoppingWorkerTakesNoNewClientOnceItsBackendHandsItsSocketsOver() {
        List<String> atHandOver = new CopyOnWriteArrayList<>();
        RedisClient client = RedisClient.create(RedisURI.create(redis.host(), redis.port()));
        try {
            DistributorRunners.bothRoles(redis.port()).withBean(LifecycleHandler.class)
                    .withPropertyValues("distributor.backend.handover-timeout=3s").run(context -> {
                assertThat(context).hasNotFailed();
                int port = context.getBean(DistributorWorker.class).port();
                DistributorBackend backend = context.getBean(DistributorBackend.class);
                ChannelNames channels = new ChannelNames(context.getEnvironment().getProperty(
                        "distributor.redis.prefix"));
                String instances = channels.instances();
                client.connect(ByteArrayCodec.INSTANCE).sync().publish(channels.instance(backend.id())
                        .getBytes(StandardCharsets.UTF_8), MessageCodec.encode(new SocketConnected("/lifecycle",
                                "w-silent.run00001a", new Handshake(Map.of(), Map.of(), "{}".getBytes(StandardCharsets.UTF_8),
                                        "127.0.0.1", "/socket.io/", 0L))));
                await().atMost(Duration.ofSeconds(30)).until(() -> backend.of("/lifecycle").sockets().size() == 1);
                StatefulRedisPubSubConnection<String, String> pubSub = client.connectPubSub();
                pubSub.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String message) {
                        // the backend announces its leaving here as its hand-over starts
                        try (Socket connected = new Socket("127.0.0.1", port)) {
                            atHandOver.add("accepted");
                        } catch (IOException refused) {
                            atHandOver.add("refused");
                        }
                    }
                });
                pubSub.sync().subscribe(instances);
                context.getSourceApplicationContext().close();
                await().atMost(Duration.ofSeconds(30)).until(() -> !atHandOver.isEmpty());
                pubSub.close();
            });
            assertThat(atHandOver).first().isEqualTo("refused");
        } finally {
            client.shutdown();
        }
    }

    @Test
    void aStartThatFailsAtTheWorkersPortTakesTheAnnouncedBackendOutOfTheRegistry() throws Exception {
        String prefix = "failed-start";
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            DistributorRunners.bothRoles(redis.port()).withBean(LifecycleHandler.class)
                    .withPropertyValues("distributor.worker.port=" + taken.getLocalPort(),
                            "distributor.redis.prefix=" + prefix)
                    .run(context -> assertThat(context).hasFailed());
        }
        RedisClient client = RedisClient.create(RedisURI.create(redis.host(), redis.port()));
        try (var connection = client.connect()) {
            // the entry would stay for the heartbeat TTL (5 s) while workers send the instance new sockets
            assertThat(connection.sync().zcard(new ChannelNames(prefix).instanceRegistry("/lifecycle"))).isZero();
        } finally {
            client.shutdown();
        }
    }
}
