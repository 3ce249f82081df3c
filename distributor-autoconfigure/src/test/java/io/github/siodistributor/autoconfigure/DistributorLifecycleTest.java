package io.github.siodistributor.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.siodistributor.backend.annotation.OnEvent;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import io.github.siodistributor.backend.runtime.DistributorBackend;
import io.github.siodistributor.core.gateway.DistributorGateway;
import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.worker.DistributorWorker;
import io.github.siodistributor.testsupport.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The distributor's lifecycle in its application context: a paused context (Spring's test context cache pauses
 * the contexts it keeps between test classes) keeps every role running, and a start that fails half-way leaves
 * nothing behind in Redis.
 */
class DistributorLifecycleTest {

    @AutoClose
    private static final TestRedis redis = TestRedis.startNew();

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
