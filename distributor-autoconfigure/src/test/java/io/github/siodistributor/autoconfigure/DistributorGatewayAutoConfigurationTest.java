package io.github.siodistributor.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.siodistributor.backend.runtime.DistributorBackend;
import io.github.siodistributor.core.gateway.Balancing;
import io.github.siodistributor.core.gateway.DistributorGateway;
import io.github.siodistributor.core.gateway.GatewaySettings;
import io.github.siodistributor.core.worker.DistributorWorker;
import io.github.siodistributor.testsupport.TestRedis;
import java.io.InputStream;
import java.net.URL;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The gateway role's auto-configuration: off by default, alone in an application, its properties checked. */
class DistributorGatewayAutoConfigurationTest {

    @AutoClose
    private static final TestRedis redis = TestRedis.startNew();

    private static ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
                        JacksonAutoConfiguration.class, SslAutoConfiguration.class,
                        DistributorRedisAutoConfiguration.class, DistributorBackendAutoConfiguration.class,
                        DistributorWorkerAutoConfiguration.class, DistributorGatewayAutoConfiguration.class))
                .withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + redis.port(),
                        "distributor.redis.prefix=gateway-autoconf", "distributor.gateway.port=0",
                        "distributor.worker.port=0", "distributor.worker.namespaces=/chat",
                        "distributor.backend.handler-threads=2");
    }

    private static ApplicationContextRunner gatewayOnly() {
        return runner().withPropertyValues("distributor.gateway.enabled=true", "distributor.worker.enabled=false",
                "distributor.backend.enabled=false");
    }

    @Test
    void theGatewayIsOffByDefault() {
        runner().withPropertyValues("distributor.backend.enabled=false").run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(DistributorWorker.class);
            assertThat(context).doesNotHaveBean(DistributorGateway.class);
        });
    }

    @Test
    void aGatewayOnlyApplicationListensWithNeitherWorkerNorBackend() {
        gatewayOnly().withPropertyValues("distributor.gateway.balancing=round-robin").run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(DistributorGateway.class);
            assertThat(context).doesNotHaveBean(DistributorWorker.class).doesNotHaveBean(DistributorBackend.class);
            assertThat(context.getBean(DistributorGateway.class).port()).isPositive();
            GatewaySettings settings = context.getBean(GatewaySettings.class);
            assertThat(settings.balancing()).isEqualTo(Balancing.ROUND_ROBIN);
            assertThat(settings.ssl()).isNull();
        });
    }

    @Test
    void anUnknownSslBundleFailsStartUpNamingTheProperty() {
        gatewayOnly().withPropertyValues("distributor.gateway.ssl.bundle=missing").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining("distributor.gateway.ssl.bundle names "
                    + "'missing', which is not one of the spring.ssl.bundle.* bundles");
        });
    }

    @Test
    void theConfigurationMetadataDocumentsTheGatewayProperties() throws Exception {
        Map<String, JsonNode> properties = new HashMap<>();
        for (URL url : Collections.list(getClass().getClassLoader()
                .getResources("META-INF/spring-configuration-metadata.json"))) {
            try (InputStream in = url.openStream()) {
                for (JsonNode property : JsonMapper.builder().build().readTree(in).path("properties")) {
                    properties.put(property.path("name").asString(), property);
                }
            }
        }
        for (String name : List.of("distributor.gateway.enabled", "distributor.gateway.host",
                "distributor.gateway.port", "distributor.gateway.balancing", "distributor.gateway.refresh-interval",
                "distributor.gateway.connect-timeout", "distributor.gateway.max-request-size",
                "distributor.gateway.ssl.bundle", "distributor.worker.advertised-address")) {
            assertThat(properties).as(name).containsKey(name);
            assertThat(properties.get(name).path("description").asString()).as("description of %s", name).isNotBlank();
        }
        assertThat(properties.get("distributor.gateway.enabled").path("defaultValue").asBoolean()).isFalse();
        assertThat(properties.get("distributor.gateway.port").path("defaultValue").asInt()).isEqualTo(9090);
    }
}
