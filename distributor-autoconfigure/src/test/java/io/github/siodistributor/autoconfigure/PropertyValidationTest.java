package io.github.siodistributor.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.siodistributor.backend.runtime.DistributorBackend;
import io.github.siodistributor.core.gateway.DistributorGateway;
import io.github.siodistributor.core.worker.DistributorWorker;
import io.github.siodistributor.autoconfigure.health.DistributorHealthContributorAutoConfiguration;
import io.github.siodistributor.testsupport.TestRedis;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * A bad {@code distributor.*} value stops the start with a message that names the property to change (what
 * docs/configuration.md promises), whichever role reads it: checked for every property with a rule beyond its type.
 */
class PropertyValidationTest {

    @AutoClose
    private static final TestRedis redis = TestRedis.startNew();

    /** Every role on, so that every value is read. */
    private static ApplicationContextRunner allRoles() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
                        JacksonAutoConfiguration.class, SslAutoConfiguration.class,
                        EmbeddedRedisAutoConfiguration.class, DistributorReconnectAutoConfiguration.class,
                        DistributorRedisAutoConfiguration.class, DistributorBackendAutoConfiguration.class,
                        DistributorWorkerAutoConfiguration.class, DistributorWorkerEventLoopsAutoConfiguration.class,
                        DistributorBackendEventLoopAutoConfiguration.class, DistributorGatewayAutoConfiguration.class,
                        DistributorHealthContributorAutoConfiguration.class))
                .withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + redis.port(),
                        "distributor.redis.prefix=validation-test", "distributor.worker.port=0",
                        "distributor.worker.namespaces=/chat", "distributor.backend.handler-threads=2",
                        "distributor.gateway.enabled=true", "distributor.gateway.port=0");
    }

    @Test
    void theSettingsTheTestsStartFromAreValid() {
        allRoles().run(context -> assertThat(context).hasNotFailed().hasSingleBean(DistributorWorker.class)
                .hasSingleBean(DistributorBackend.class).hasSingleBean(DistributorGateway.class));
    }

    /** Each value: {@code property=value}, then any property it needs to be read ({@code ;}-separated). */
    @ParameterizedTest
    @ValueSource(strings = {
        "distributor.redis.prefix=has space",
        "distributor.redis.probe-timeout=0s",
        "distributor.redis.subscription-check-interval=-1s",
        "distributor.redis.max-message-size=0B",
        // a client's largest message must fit on Redis, with its envelope
        "distributor.redis.max-message-size=1MB",
        "distributor.redis.max-message-size=2MB",
        "distributor.worker.max-payload=8MB",
        "distributor.redis.outage.buffer-limit=0",
        "distributor.redis.outage.buffer-size=0B",
        "distributor.redis.outage.resubscribe-grace=-1s",
        "distributor.redis.outage.reconnect-delay-max=-1s",
        "distributor.redis.embedded.port=70000;distributor.redis.embedded.enabled=true",
        "distributor.worker.id=has space",
        "distributor.worker.namespaces=chat",
        "distributor.worker.namespaces=^/game-(",
        "distributor.worker.port=70000",
        "distributor.worker.advertised-address=host:port",
        "distributor.worker.lease-ttl=2ms",
        "distributor.worker.ping-interval=0s",
        "distributor.worker.ping-timeout=-1s",
        "distributor.worker.upgrade-timeout=0s",
        "distributor.worker.connect-timeout=0s",
        "distributor.worker.max-pending-sessions=0",
        "distributor.worker.allowed-origins=https://app.example/",
        "distributor.worker.allowed-origins=*",
        "distributor.worker.max-payload=0B",
        "distributor.worker.max-payload=3GB",
        "distributor.worker.backend-check-interval=0s",
        "distributor.worker.backend-loss-grace=0s",
        "distributor.worker.held-events-limit=0",
        "distributor.worker.held-events-size=0B",
        "distributor.worker.handover-timeout=0s",
        "distributor.worker.io-threads=0",
        "distributor.backend.handler-threads=0",
        "distributor.backend.request-timeout=-1s",
        "distributor.backend.worker-check-interval=0s",
        "distributor.backend.worker-loss-grace=0s",
        "distributor.backend.heartbeat-ttl=2ms",
        "distributor.backend.handover-timeout=0s",
        "distributor.backend.queued-events-limit=0",
        "distributor.backend.queued-events-size=0B",
        "distributor.gateway.port=70000",
        "distributor.gateway.refresh-interval=0s",
        "distributor.gateway.connect-timeout=-1s",
        "distributor.gateway.idle-timeout=0s",
        "distributor.gateway.max-request-size=0B",
        "distributor.gateway.max-request-size=3GB",
    })
    void aBadValueStopsTheStartNamingItsProperty(String values) {
        String[] properties = values.split(";");
        String property = properties[0].substring(0, properties[0].indexOf('='));
        allRoles().withPropertyValues(properties).run(context -> {
            assertThat(context).as(values).hasFailed();
            // the start-up failure's chain, as the log shows it, has the check's message with the property
            assertThat(Stream.iterate(context.getStartupFailure(), Objects::nonNull, Throwable::getCause)).as(values)
                    .anySatisfy(cause -> assertThat(cause).isInstanceOf(IllegalArgumentException.class)
                            .hasMessageContaining(property));
        });
    }

    @Test
    void askingForTheEmbeddedRedisWithoutItOnTheClasspathStopsTheStartSayingWhatToAdd() {
        allRoles().withClassLoader(new FilteredClassLoader("redis.embedded"))
                .withPropertyValues("distributor.redis.embedded.enabled=true").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(Stream.iterate(context.getStartupFailure(), Objects::nonNull, Throwable::getCause))
                            .anySatisfy(cause -> assertThat(cause).hasMessageContaining(
                                    "distributor.redis.embedded.enabled is true, but the embedded Redis server is "
                                            + "not on the classpath: add com.github.codemonstur:embedded-redis"));
                });
    }
}
