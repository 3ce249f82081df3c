package io.github.siodistributor.autoconfigure.info;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.siodistributor.autoconfigure.DistributorGatewayAutoConfiguration;
import io.github.siodistributor.autoconfigure.DistributorRunners;
import io.github.siodistributor.backend.annotation.OnEvent;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import io.github.siodistributor.backend.runtime.DistributorBackend;
import io.github.siodistributor.core.gateway.DistributorGateway;
import io.github.siodistributor.core.protocol.MessageCodec;
import io.github.siodistributor.core.worker.DistributorWorker;
import io.github.siodistributor.testsupport.TestRedis;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.actuate.autoconfigure.info.InfoContributorAutoConfiguration;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContext;

/** The {@code distributor} info entry, and the start-up line each role logs. */
@ExtendWith(OutputCaptureExtension.class)
class DistributorInfoContributorTest {

    @AutoClose
    private static final TestRedis redis = TestRedis.startNew();

    @SocketNamespace("/info")
    public static class InfoHandler {
        @OnEvent("ping")
        public String ping() {
            return "pong";
        }
    }

    private static ApplicationContextRunner runner() {
        return DistributorRunners.bothRoles(redis.port(), InfoContributorAutoConfiguration.class,
                DistributorInfoContributorAutoConfiguration.class).withBean(InfoHandler.class)
                .withPropertyValues("distributor.worker.id=info-w", "distributor.redis.prefix=info-test");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> distributorInfo(ApplicationContext context) {
        Info.Builder builder = new Info.Builder();
        context.getBean("distributorInfoContributor", InfoContributor.class).contribute(builder);
        return (Map<String, Object>) builder.build().getDetails().get("distributor");
    }

    @Test
    void bothRolesWithIdsNamespacesProtocolVersionAndRedis(CapturedOutput output) {
        runner().run(context -> {
            assertThat(context).hasNotFailed();
            DistributorWorker worker = context.getBean(DistributorWorker.class);
            DistributorBackend backend = context.getBean(DistributorBackend.class);
            Map<String, Object> info = distributorInfo(context);
            assertThat(info).containsEntry("roles", List.of("worker", "backend"))
                    .containsEntry("protocolVersion", MessageCodec.VERSION)
                    .containsEntry("worker", Map.of("id", "info-w", "port", worker.port(), "namespaces",
                            List.of("/info"), "transport", "NIO"))
                    .containsEntry("backend", Map.of("id", backend.id(), "namespaces", List.of("/info")))
                    .containsEntry("redis", Map.of("target", "127.0.0.1:" + redis.port(), "prefix", "info-test"));

            String redisPart = "(Redis 127.0.0.1:" + redis.port() + ", prefix info-test)";
            assertThat(output).contains("Distributor worker info-w listening on 127.0.0.1:" + worker.port()
                    + " (NIO) for /info " + redisPart);
            assertThat(output).contains("Distributor backend " + backend.id() + " handling /info " + redisPart);
        });
    }

    @Test
    void aBackendOnlyApplicationReportsItsOneRole() {
        runner().withPropertyValues("distributor.worker.enabled=false").run(context -> {
            Map<String, Object> info = distributorInfo(context);
            assertThat(info).containsEntry("roles", List.of("backend")).doesNotContainKey("worker");
        });
    }

    @Test
    void aGatewayOnlyApplicationReportsItsRoleAndPort() {
        DistributorRunners.bothRoles(redis.port(), DistributorGatewayAutoConfiguration.class,
                InfoContributorAutoConfiguration.class, DistributorInfoContributorAutoConfiguration.class)
                .withPropertyValues("distributor.worker.enabled=false", "distributor.backend.enabled=false",
                        "distributor.gateway.enabled=true", "distributor.gateway.port=0",
                        "distributor.gateway.host=127.0.0.1")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    Map<String, Object> info = distributorInfo(context);
                    assertThat(info).containsEntry("roles", List.of("gateway"))
                            .containsEntry("gateway", Map.of("port", context.getBean(DistributorGateway.class).port(),
                                    "liveWorkers", 0))
                            .doesNotContainKeys("worker", "backend");
                });
    }

    @Test
    void switchedOffLikeSpringBootsOwnContributors() {
        runner().withPropertyValues("management.info.distributor.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("distributorInfoContributor"));
        runner().withPropertyValues("management.info.defaults.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean("distributorInfoContributor"));
    }

    @Test
    void anApplicationWithoutActuatorStartsWithoutIt() {
        runner().withClassLoader(new FilteredClassLoader(InfoContributor.class)).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean("distributorInfoContributor");
        });
    }
}
