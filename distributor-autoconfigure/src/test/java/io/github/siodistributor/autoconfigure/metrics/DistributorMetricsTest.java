package io.github.siodistributor.autoconfigure.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.autoconfigure.DistributorRunners;
import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.annotation.OnEvent;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.worker.DistributorWorker;
import io.github.siodistributor.testsupport.NodeClients;
import io.github.siodistributor.testsupport.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.search.RequiredSearch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

/** The distributor's meters move as real clients connect, emit, answer, time out and leave. */
class DistributorMetricsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String NAMESPACE = "/metered";

    @AutoClose
    private static final TestRedis redis = TestRedis.startNew();
    @AutoClose
    private static final NodeClients clients = new NodeClients();

    @SocketNamespace(NAMESPACE)
    public static class MeteredHandler {

        @OnEvent("ping")
        public String ping(String text) {
            return "pong " + text;
        }

        @OnEvent("shout")
        public void shout(IndirectSocket socket, String text) {
            socket.namespace().emit("heard", text);
        }

        /** Asks the client a question it may answer, or leave unanswered until the ack times out. */
        @OnEvent("quiz")
        public void quiz(IndirectSocket socket, long timeoutMillis) {
            socket.timeout(Duration.ofMillis(timeoutMillis)).emitWithAck("question", "2+2?");
        }
    }

    private static ApplicationContextRunner runner() {
        return DistributorRunners.bothRoles(redis.port(), MetricsAutoConfiguration.class,
                SimpleMetricsExportAutoConfiguration.class, DistributorMetricsAutoConfiguration.class)
                .withBean(MeteredHandler.class).withPropertyValues("distributor.worker.id=metered");
    }

    private static RequiredSearch worker(MeterRegistry registry, String name) {
        return registry.get(name).tag("role", "worker").tag("worker", "metered").tag("namespace", NAMESPACE);
    }

    private static RequiredSearch backend(MeterRegistry registry, String name) {
        return registry.get(name).tag("role", "backend").tag("worker", "none").tag("namespace", NAMESPACE);
    }

    private static double count(RequiredSearch search) {
        return search.functionCounter().count();
    }

    @Test
    void metersMoveAsClientsConnectEmitAnswerAndLeave() throws Exception {
        runner().run(context -> {
            assertThat(context).hasNotFailed();
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry).isInstanceOf(SimpleMeterRegistry.class);
            String url = "http://127.0.0.1:" + context.getBean(DistributorWorker.class).port();

            // the served namespace's meters exist from the start
            assertThat(worker(registry, "distributor.clients.connected").gauge().value()).isZero();
            assertThat(worker(registry, "distributor.backend.instances").gauge().value()).isEqualTo(1);

            String a = "a-" + UUID.randomUUID();
            String b = "b-" + UUID.randomUUID();
            clients.connect(a, url, NAMESPACE);
            clients.connect(b, url, NAMESPACE);
            clients.awaitConnect(a);
            clients.awaitConnect(b);
            await().atMost(TIMEOUT).until(() -> worker(registry, "distributor.clients.connected").gauge()
                    .value() == 2);
            assertThat(count(worker(registry, "distributor.clients.connects"))).isEqualTo(2);
            await().atMost(TIMEOUT).until(() -> count(backend(registry, "distributor.clients.connects")) == 2);
            assertThat(registry.get("distributor.connections").tag("worker", "metered").gauge().value())
                    .isEqualTo(2);

            // an event with ack: in on both roles, the answer out, the end-to-end latency and the handler time
            List<com.fasterxml.jackson.databind.JsonNode> pong = clients.emitWithAck(a, "ping", "x")
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertThat(pong.get(0).asText()).isEqualTo("pong x");
            assertThat(count(worker(registry, "distributor.events.in"))).isEqualTo(1);
            assertThat(count(worker(registry, "distributor.acks.sent"))).isEqualTo(1);
            Timer latency = worker(registry, "distributor.acks.latency").timer();
            assertThat(latency.count()).isEqualTo(1);
            assertThat(latency.totalTime(TimeUnit.NANOSECONDS)).isPositive();
            assertThat(count(backend(registry, "distributor.events.in"))).isEqualTo(1);
            // counted once the answer is handed to Redis: the client may have it first
            await().atMost(TIMEOUT).until(() -> count(backend(registry, "distributor.acks.sent")) == 1);
            await().atMost(TIMEOUT).until(() -> backend(registry, "distributor.handler.duration").timer()
                    .count() == 1);

            // a broadcast: one on each role, an event out per recipient on the worker
            clients.emit(a, "shout", "hello");
            clients.awaitEvent(a, "heard");
            clients.awaitEvent(b, "heard");
            assertThat(count(backend(registry, "distributor.broadcasts"))).isEqualTo(1);
            assertThat(count(worker(registry, "distributor.broadcasts"))).isEqualTo(1);
            assertThat(count(worker(registry, "distributor.events.out"))).isEqualTo(2);

            // an emit with ack the client answers, then one it leaves to time out
            clients.emit(a, "quiz", 30_000);
            long ackId = clients.awaitEvent(a, "question").path("ackId").asLong();
            clients.answerAck(a, ackId, 4);
            await().atMost(TIMEOUT).until(() -> count(backend(registry, "distributor.acks.received")) == 1);
            assertThat(count(worker(registry, "distributor.acks.received"))).isEqualTo(1);
            assertThat(count(backend(registry, "distributor.events.out"))).isEqualTo(1);
            clients.emit(b, "quiz", 200);
            clients.awaitEvent(b, "question");
            await().atMost(TIMEOUT).until(() -> count(backend(registry, "distributor.acks.timed.out")) == 1);
            assertThat(count(backend(registry, "distributor.acks.received"))).isEqualTo(1);

            // a client leaves: counted by reason on both roles
            clients.disconnect(b);
            await().atMost(TIMEOUT).until(() -> worker(registry, "distributor.clients.connected").gauge()
                    .value() == 1);
            // once the gauge has gone down, the reason is counted already
            assertThat(count(worker(registry, "distributor.clients.disconnects")
                    .tag("reason", "client namespace disconnect"))).isEqualTo(1);
            await().atMost(TIMEOUT).until(() -> count(backend(registry, "distributor.clients.disconnects")
                    .tag("reason", "client namespace disconnect")) == 1);

            // garbage on a subscribed channel is dropped and counted by cause; Redis traffic is counted
            double received = count(registry.get("distributor.redis.received"));
            publishGarbage(context);
            await().atMost(TIMEOUT).until(() -> count(registry.get("distributor.messages.dropped")
                    .tag("cause", "malformed")) == 1);
            assertThat(count(registry.get("distributor.redis.received"))).isGreaterThan(received);
            assertThat(count(registry.get("distributor.redis.published"))).isPositive();
            assertThat(count(registry.get("distributor.redis.subscription.replaced")))
                    .as("a subscription that delivers").isZero();
            clients.disconnect(a);
        });
    }

    private static void publishGarbage(ApplicationContext context) {
        ChannelNames channels = context.getBean(ChannelNames.class);
        RedisClient client = RedisClient.create(RedisURI.create(redis.host(), redis.port()));
        try (var connection = client.connect()) {
            long receivers = connection.sync().publish(channels.worker("metered"), "not an envelope");
            assertThat(receivers).isEqualTo(1);
        } finally {
            client.shutdown();
        }
    }

    @Test
    void withoutMicrometerThereIsNoBinder() {
        runner().withClassLoader(new FilteredClassLoader(MeterRegistry.class)).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(DistributorMeterBinder.class);
        });
    }

    @Test
    void aUserBinderReplacesTheDistributorsOwn() {
        runner().withPropertyValues("distributor.worker.enabled=false")
                .withBean("distributorMeterBinder", io.micrometer.core.instrument.binder.MeterBinder.class,
                        () -> registry -> { })
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(MeterRegistry.class).find("distributor.redis.published").meter())
                            .isNull();
                });
    }
}
