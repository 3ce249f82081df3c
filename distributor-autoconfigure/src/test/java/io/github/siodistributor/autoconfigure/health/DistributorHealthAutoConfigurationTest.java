package io.github.siodistributor.autoconfigure.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.autoconfigure.DistributorBackendAutoConfiguration;
import io.github.siodistributor.autoconfigure.DistributorGatewayAutoConfiguration;
import io.github.siodistributor.autoconfigure.DistributorProperties;
import io.github.siodistributor.autoconfigure.DistributorReconnectAutoConfiguration;
import io.github.siodistributor.autoconfigure.DistributorRedisAutoConfiguration;
import io.github.siodistributor.autoconfigure.DistributorWorkerAutoConfiguration;
import io.github.siodistributor.backend.annotation.OnEvent;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import io.github.siodistributor.backend.runtime.DistributorBackend;
import io.github.siodistributor.core.gateway.DistributorGateway;
import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.WorkerAddress;
import io.github.siodistributor.core.protocol.WorkerRun;
import io.github.siodistributor.core.transport.WorkerLeases;
import io.github.siodistributor.core.transport.OutagePolicy;
import io.github.siodistributor.core.transport.OutageSettings;
import io.github.siodistributor.core.transport.RedisMessageBus;
import io.github.siodistributor.testsupport.FreePorts;
import io.github.siodistributor.testsupport.TestRedis;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The {@code distributor} health entry, and the outage properties the bus and Lettuce are built with. */
class DistributorHealthAutoConfigurationTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @AutoClose
    private static final TestRedis redis = TestRedis.startNew();

    @SocketNamespace("/health")
    public static class Handler {
        @OnEvent("ping")
        public String ping() {
            return "pong";
        }
    }

    private static ApplicationContextRunner runner(TestRedis server) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
                        JacksonAutoConfiguration.class, DistributorReconnectAutoConfiguration.class,
                        DistributorRedisAutoConfiguration.class, DistributorBackendAutoConfiguration.class,
                        DistributorWorkerAutoConfiguration.class, DistributorGatewayAutoConfiguration.class,
                        DistributorHealthContributorAutoConfiguration.class))
                .withBean(Handler.class)
                .withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + server.port(),
                        "distributor.worker.port=0", "distributor.backend.handler-threads=2",
                        "distributor.redis.prefix=health-" + UUID.randomUUID().toString().substring(0, 8),
                        // UP is read from one probe: time enough for it on a busy machine too
                        "distributor.redis.probe-timeout=5s");
    }

    /** Most checks need no worker, whose Netty server takes seconds to shut down. */
    private static ApplicationContextRunner backendOnly(TestRedis server) {
        return runner(server).withPropertyValues("distributor.worker.enabled=false");
    }

    private static HealthContributors distributorHealth(ApplicationContext context) {
        return context.getBean("distributorHealthContributor", CompositeHealthContributor.class);
    }

    private static Health health(ApplicationContext context, String role) {
        return ((HealthIndicator) distributorHealth(context).getContributor(role)).health();
    }

    private static List<String> roles(ApplicationContext context) {
        return distributorHealth(context).stream().map(HealthContributors.Entry::name).toList();
    }

    @Test
    void bothRolesReportUpWithTheirDetails() {
        runner(redis).withPropertyValues("distributor.worker.id=healthy").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(roles(context)).containsExactly("worker", "backend");

            Health worker = health(context, "worker");
            assertThat(worker.getStatus()).isEqualTo(Status.UP);
            assertThat(worker.getDetails()).containsEntry("workerId", "healthy")
                    .containsEntry("subscription", "the subscription delivered a probe message")
                    .containsEntry("publishing", "connected").containsEntry("heldMessages", 0)
                    .containsEntry("notPublished", 0L).containsKeys("port", "clients");
            assertThat((String) worker.getDetails().get("lease")).startsWith("confirmed in Redis");

            Health backend = health(context, "backend");
            assertThat(backend.getStatus()).isEqualTo(Status.UP);
            assertThat(backend.getDetails()).containsEntry("namespaces", List.of("/health"));
        });
    }

    @Test
    void theRegistryStateShowsInBothRoles() {
        runner(redis).withPropertyValues("distributor.worker.id=registry-state").run(context -> {
            DistributorBackend backend = context.getBean(DistributorBackend.class);
            assertThat(health(context, "worker").getDetails()).containsEntry("backendInstances", Map.of("/health", 1));
            Health registered = health(context, "backend");
            assertThat(registered.getStatus()).isEqualTo(Status.UP);
            assertThat(registered.getDetails()).containsEntry("instanceId", backend.id());
            assertThat((String) registered.getDetails().get("registry")).startsWith("registered, heartbeat every");

            // a backend instance that left the registry is DOWN; the worker sees it gone and stays UP
            assertThat(backend.handOver(TIMEOUT)).isTrue();
            Health left = health(context, "backend");
            assertThat(left.getStatus()).isEqualTo(Status.DOWN);
            assertThat((String) left.getDetails().get("registry")).contains("left the registry");
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(health(context, "worker").getDetails())
                    .containsEntry("backendInstances", Map.of("/health", 0)));
            assertThat(health(context, "worker").getStatus()).isEqualTo(Status.UP);
        });
    }

    @Test
    void aGatewayIsUpWhileItReadsTheLiveWorkersAndDownWhileRedisCannotBeRead() {
        TestRedis own = TestRedis.startNew();
        try {
            runner(own).withPropertyValues("distributor.worker.enabled=false", "distributor.backend.enabled=false",
                    "distributor.gateway.enabled=true", "distributor.gateway.port=0",
                    "distributor.gateway.host=127.0.0.1").run(context -> {
                assertThat(roles(context)).containsExactly("gateway");
                DistributorGateway gateway = context.getBean(DistributorGateway.class);
                Health up = health(context, "gateway");
                assertThat(up.getStatus()).isEqualTo(Status.UP);
                // no live worker is not DOWN: the gateway answers 503 until one reports
                assertThat(up.getDetails()).containsEntry("port", gateway.port())
                        .containsEntry("liveWorkers", Map.of()).containsEntry("unreachableWorkers", List.of());
                assertThat((String) up.getDetails().get("directory")).startsWith("read from Redis ").endsWith(" ms ago");

                // a worker that reports, but where nothing listens: the first new session sent there finds it so
                WorkerLeases.Lease lease = new WorkerLeases(context.getBean(RedisConnectionFactory.class),
                        context.getBean(ChannelNames.class)).acquire(new WorkerRun("w9", "nothere1"),
                        Duration.ofSeconds(30), loss -> { });
                try {
                    lease.report(new WorkerAddress("127.0.0.1", FreePorts.find()), () -> 0);
                    await().atMost(TIMEOUT).until(() -> gateway.workers().size() == 1);
                    HttpURLConnection request = (HttpURLConnection) URI.create("http://127.0.0.1:" + gateway.port()
                            + "/socket.io/?EIO=4&transport=polling").toURL().openConnection();
                    assertThat(request.getResponseCode()).as("no other worker to try").isEqualTo(503);
                    assertThat(health(context, "gateway").getDetails()).containsEntry("unreachableWorkers",
                            List.of("w9"));
                } finally {
                    lease.close();
                }

                // its periodic read now waits on a Redis that is gone, for the client's command timeout
                own.stop();
                await().atMost(TIMEOUT).untilAsserted(() -> assertThat(health(context, "gateway").getStatus())
                        .isEqualTo(Status.DOWN));
                assertThat((String) health(context, "gateway").getDetails().get("directory"))
                        .startsWith("not read from Redis (routing by the last view) for ");
            });
        } finally {
            own.stop();
        }
    }

    @Test
    void eachRoleHasAComponentOnlyWhenItRuns() {
        runner(redis).withPropertyValues("distributor.worker.enabled=false")
                .run(context -> assertThat(roles(context)).containsExactly("backend"));
        runner(redis).withPropertyValues("distributor.backend.enabled=false")
                .run(context -> assertThat(roles(context)).containsExactly("worker"));
    }

    @Test
    void theEntryIsSwitchedOffLikeAnyHealthIndicator() {
        backendOnly(redis).withPropertyValues("management.health.distributor.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("distributorHealthContributor"));
        backendOnly(redis).withPropertyValues("management.health.defaults.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean("distributorHealthContributor"));
    }

    @Test
    void anApplicationWithoutSpringBootHealthStartsWithoutTheEntry() {
        backendOnly(redis).withClassLoader(new FilteredClassLoader(HealthIndicator.class)).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(RedisMessageBus.class);
            assertThat(context).doesNotHaveBean("distributorHealthContributor");
        });
    }

    @Test
    void aUserBeanOfTheSameNameReplacesTheEntry() {
        CompositeHealthContributor own = CompositeHealthContributor.fromMap(Map.of("mine",
                (HealthIndicator) () -> Health.up().build()));
        backendOnly(redis).withBean("distributorHealthContributor", CompositeHealthContributor.class, () -> own)
                .run(context -> assertThat(distributorHealth(context)).isSameAs(own));
        // the other name Spring Boot gives the same entry, "distributor"
        HealthIndicator indicator = () -> Health.up().build();
        backendOnly(redis).withBean("distributorHealthIndicator", HealthIndicator.class, () -> indicator)
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("distributorHealthContributor"));
    }

    @Test
    void bothRolesReadDownWhileRedisIsStoppedAndUpAgainOnceItIsBack() {
        TestRedis own = TestRedis.startNew();
        try {
            runner(own).run(context -> {
                assertThat(health(context, "worker").getStatus()).isEqualTo(Status.UP);

                own.stop();
                for (String role : List.of("worker", "backend")) {
                    assertThat(health(context, role).getStatus()).as(role).isEqualTo(Status.DOWN);
                    // a probe made before Lettuce noticed the closed socket times out instead
                    await().atMost(TIMEOUT).untilAsserted(() -> assertThat((String) health(context, role)
                            .getDetails().get("subscription")).as(role).contains("no connection to Redis"));
                }

                own.start();
                await().atMost(TIMEOUT).until(() -> health(context, "worker").getStatus().equals(Status.UP)
                        && health(context, "backend").getStatus().equals(Status.UP));
            });
        } finally {
            own.stop();
        }
    }

    @Test
    void aBackendWhoseHeartbeatRedisDoesNotAnswerReadsNotRegisteredOnceItsTtlHasPassed() {
        TestRedis own = TestRedis.startNew();
        try {
            backendOnly(own).withPropertyValues("distributor.backend.heartbeat-ttl=900ms").run(context -> {
                await().atMost(TIMEOUT).untilAsserted(() -> assertThat((String) health(context, "backend")
                        .getDetails().get("registry")).startsWith("registered"));

                // the connection stays up and nothing answers: a renewal waits for Lettuce's command timeout
                own.freeze();
                try {
                    await().atMost(TIMEOUT).untilAsserted(() -> assertThat((String) health(context, "backend")
                            .getDetails().get("registry")).startsWith("the heartbeat was not renewed for ")
                            .endsWith("longer than its TTL of 900 ms: Redis is unreachable or slow"));
                } finally {
                    own.thaw();
                }
                await().atMost(TIMEOUT).untilAsserted(() -> assertThat((String) health(context, "backend")
                        .getDetails().get("registry")).startsWith("registered"));
            });
        } finally {
            own.stop();
        }
    }

    @Test
    void theOutagePropertiesShapeTheBusAndLettucesReconnects() {
        backendOnly(redis).run(context -> {
            assertThat(context.getBean(RedisMessageBus.class).outageSettings().policy()).isEqualTo(OutagePolicy.BUFFER);
            assertThat(context.getBean(RedisMessageBus.class).outageSettings().limit()).isEqualTo(10_000);
            assertThat(context.getBean(ClientResources.class).reconnectDelay().createDelay(20))
                    .isEqualTo(Duration.ofSeconds(1));
        });
        backendOnly(redis).withPropertyValues("distributor.redis.outage.policy=reject",
                "distributor.redis.outage.buffer-limit=7", "distributor.redis.outage.resubscribe-grace=3s",
                "distributor.redis.outage.reconnect-delay-max=0").run(context -> {
                    RedisMessageBus bus = context.getBean(RedisMessageBus.class);
                    assertThat(bus.outageSettings().policy()).isEqualTo(OutagePolicy.REJECT);
                    assertThat(bus.outageSettings().limit()).isEqualTo(7);
                    assertThat(bus.outageSettings().resubscribeGrace()).isEqualTo(Duration.ofSeconds(3));
                    // Lettuce's own schedule: doubling up to 30 s
                    assertThat(context.getBean(ClientResources.class).reconnectDelay().createDelay(20))
                            .isEqualTo(Duration.ofSeconds(30));
                });
    }

    @Test
    void theSubscriptionIsWatchedEveryFiveSecondsUnlessTurnedOff() {
        backendOnly(redis).run(context -> assertThat(context.getBean(RedisMessageBus.class)
                .subscriptionCheckInterval()).contains(Duration.ofSeconds(5)));
        backendOnly(redis).withPropertyValues("distributor.redis.subscription-check-interval=0").run(context ->
                assertThat(context.getBean(RedisMessageBus.class).subscriptionCheckInterval()).isEmpty());
    }

    @Test
    void anApplicationsOwnReconnectScheduleWinsOverTheDistributorsCap() {
        backendOnly(redis).withBean("applicationReconnectDelay", ClientResourcesBuilderCustomizer.class,
                () -> builder -> builder.reconnectDelay(Delay.constant(Duration.ofSeconds(7)))).run(context ->
                        assertThat(context.getBean(ClientResources.class).reconnectDelay().createDelay(20))
                                .isEqualTo(Duration.ofSeconds(7)));
    }

    @Test
    void theOutagePropertiesHaveMetadataWithTheDefaultsTheBusUses() throws Exception {
        JsonNode metadata;
        try (InputStream in = DistributorProperties.class.getResourceAsStream(
                "/META-INF/spring-configuration-metadata.json")) {
            metadata = JsonMapper.builder().build().readTree(in);
        }
        Map<String, JsonNode> properties = new HashMap<>();
        metadata.path("properties").forEach(property -> properties.put(property.path("name").asString(), property));
        OutageSettings defaults = OutageSettings.defaults();
        Map<String, String> expected = Map.of("distributor.redis.outage.policy", defaults.policy().name().toLowerCase(),
                "distributor.redis.outage.buffer-limit", String.valueOf(defaults.limit()),
                "distributor.redis.outage.resubscribe-grace", defaults.resubscribeGrace().toSeconds() + "s",
                "distributor.redis.outage.reconnect-delay-max", "1s", "distributor.redis.probe-timeout", "2s",
                "distributor.redis.subscription-check-interval", "5s");
        expected.forEach((name, value) -> {
            assertThat(properties).as(name).containsKey(name);
            assertThat(properties.get(name).path("description").asString()).as(name).isNotBlank();
            assertThat(properties.get(name).path("defaultValue").asString()).as(name).isEqualTo(value);
        });
    }

    @Test
    void badOutagePropertiesFailStartUpNamingTheProperty() {
        for (String bad : List.of("distributor.redis.outage.buffer-limit=0",
                "distributor.redis.outage.resubscribe-grace=-1s", "distributor.redis.outage.reconnect-delay-max=-1s",
                "distributor.redis.probe-timeout=0s")) {
            backendOnly(redis).withPropertyValues(bad).run(context -> {
                assertThat(context).as(bad).hasFailed();
                assertThat(context.getStartupFailure()).as(bad).rootCause()
                        .hasMessageContaining(bad.substring(0, bad.indexOf('=')));
            });
        }
    }
}
