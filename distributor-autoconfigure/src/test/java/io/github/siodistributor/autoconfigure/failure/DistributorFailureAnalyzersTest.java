package io.github.siodistributor.autoconfigure.failure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.siodistributor.autoconfigure.DistributorRunners;
import io.github.siodistributor.backend.IndirectServer;
import io.github.siodistributor.backend.annotation.OnEvent;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import io.github.siodistributor.testsupport.FreePorts;
import io.github.siodistributor.testsupport.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.Environment;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.mock.env.MockEnvironment;

/**
 * Each common misconfiguration fails a real start with its own exception, and the failure analyzers registered in
 * {@code META-INF/spring.factories} turn it into what went wrong and what to change.
 */
class DistributorFailureAnalyzersTest {

    @AutoClose
    private static final TestRedis redis = TestRedis.startNew();

    @SocketNamespace("/dup")
    public static class FirstHandler {
        @OnEvent("say")
        public void say(String text) {
        }

        @OnEvent("first-only")
        public void firstOnly() {
        }
    }

    @SocketNamespace("/dup")
    public static class SecondHandler {
        @OnEvent("say")
        public void say(String text) {
        }
    }

    @SocketNamespace("/fine")
    public static class FineHandler {
        @OnEvent("say")
        public void say(String text) {
        }
    }

    /** A bean of the application that is not a handler but emits through the indirect server. */
    public static class LobbyNews {
        public LobbyNews(IndirectServer server) {
        }
    }

    private static ApplicationContextRunner runner(int redisPort) {
        return DistributorRunners.bothRoles(redisPort).withPropertyValues("spring.data.redis.connect-timeout=5s");
    }

    /** What the analyzers Spring Boot would load from spring.factories make of a start-up failure. */
    private static FailureAnalysis analyze(Throwable failure) {
        return analyze(failure, new MockEnvironment());
    }

    /** As Spring Boot loads them, with the application's environment (ours need no bean factory). */
    private static FailureAnalysis analyze(Throwable failure, Environment environment) {
        List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation(
                DistributorFailureAnalyzersTest.class.getClassLoader()).load(FailureAnalyzer.class,
                SpringFactoriesLoader.ArgumentResolver.of(Environment.class, environment),
                (type, implementation, notLoaded) -> { });
        return analyzers.stream().map(analyzer -> analyzer.analyze(failure)).filter(Objects::nonNull).findFirst()
                .orElseThrow(() -> new AssertionError("no failure analyzer explains " + failure));
    }

    @Test
    void noRedisReachableAtStart() {
        int closed = FreePorts.find();
        runner(closed).withBean(FineHandler.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasRootCauseInstanceOf(java.net.ConnectException.class);
            FailureAnalysis analysis = analyze(context.getStartupFailure());
            assertThat(analysis.getCause()).isInstanceOf(RedisUnreachableException.class);
            assertThat(analysis.getDescription()).contains("could not reach Redis at 127.0.0.1:" + closed);
            assertThat(analysis.getAction()).contains("Start Redis at 127.0.0.1:" + closed)
                    .contains("spring.data.redis.host").contains("distributor.redis.embedded.enabled=true");
        });
    }

    @Test
    void aRedisClusterIsRefusedAtStartSayingWhatToUseInstead() {
        // nodes that do not exist: the refusal comes before any connection is tried
        int closed = FreePorts.find();
        runner(redis.port()).withBean(FineHandler.class)
                .withPropertyValues("spring.data.redis.cluster.nodes=127.0.0.1:" + closed).run(context -> {
                    assertThat(context).hasFailed();
                    FailureAnalysis analysis = analyze(context.getStartupFailure());
                    assertThat(analysis.getCause()).isInstanceOf(RedisClusterNotSupportedException.class);
                    assertThat(analysis.getDescription()).contains("does not support Redis Cluster yet")
                            .contains("127.0.0.1:" + closed).contains("PUBLISH");
                    assertThat(analysis.getAction()).contains("spring.data.redis.cluster")
                            .contains("@DistributorRedisConnectionFactory");
                });
    }

    @Test
    void redisRefusesTheCredentials() {
        try (TestRedis guarded = TestRedis.startNew()) {
            RedisClient client = RedisClient.create(RedisURI.create(TestRedis.HOST, guarded.port()));
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                connection.sync().configSet("requirepass", "secret");
            } finally {
                client.shutdown();
            }
            runner(guarded.port()).withBean(FineHandler.class).run(context -> {
                assertThat(context).hasFailed();
                FailureAnalysis analysis = analyze(context.getStartupFailure());
                assertThat(analysis.getCause()).isInstanceOf(RedisUnreachableException.class);
                assertThat(analysis.getDescription()).contains("127.0.0.1:" + guarded.port()).contains("NOAUTH");
                assertThat(analysis.getAction()).contains("refused the credentials")
                        .contains("spring.data.redis.username").contains("spring.data.redis.password")
                        .doesNotContain("Start Redis");
            });
        }
    }

    @Test
    void theWorkerPortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            runner(redis.port()).withBean(FineHandler.class).withPropertyValues("distributor.worker.port=" + port)
                    .run(context -> {
                        assertThat(context).hasFailed();
                        FailureAnalysis analysis = analyze(context.getStartupFailure());
                        assertThat(analysis.getCause()).isInstanceOf(WorkerPortInUseException.class);
                        assertThat(analysis.getDescription()).contains("could not listen on 127.0.0.1:" + port)
                                .contains("already in use");
                        assertThat(analysis.getAction()).contains("distributor.worker.port").contains("0 picks");
                    });
        }
    }

    @Test
    void anAddressNotOfThisMachineIsNotReportedAsAPortInUse() {
        // TEST-NET-1 (RFC 5737): no machine has it
        runner(redis.port()).withBean(FineHandler.class).withPropertyValues("distributor.worker.host=192.0.2.1")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(Stream.iterate(context.getStartupFailure(), Objects::nonNull, Throwable::getCause))
                            .noneMatch(WorkerPortInUseException.class::isInstance)
                            .anySatisfy(cause -> assertThat(cause).hasMessageContaining("cannot listen on 192.0.2.1")
                                    .hasMessageContaining("check distributor.worker.host"));
                });
    }

    @Test
    void aWorkerWithNoNamespaceToServe() {
        runner(redis.port()).run(context -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = analyze(context.getStartupFailure());
            assertThat(analysis.getCause()).isInstanceOf(NoNamespaceToServeException.class);
            assertThat(analysis.getDescription()).contains("no namespace to serve");
            assertThat(analysis.getAction()).contains("@SocketNamespace").contains("@Profile")
                    .contains("distributor.worker.namespaces")
                    .contains("distributor.worker.enabled=false");
        });
    }

    @Test
    void twoHandlerBeansForOneEvent() {
        runner(redis.port()).withBean("firstHandler", FirstHandler.class).withBean("secondHandler",
                SecondHandler.class).withBean(FineHandler.class).run(context -> {
                    assertThat(context).hasFailed();
                    FailureAnalysis analysis = analyze(context.getStartupFailure());
                    DuplicateNamespaceHandlerException cause = (DuplicateNamespaceHandlerException) analysis
                            .getCause();
                    assertThat(cause.namespace()).isEqualTo("/dup");
                    assertThat(cause.beanNames()).containsExactly("firstHandler", "secondHandler");
                    assertThat(cause.sharedEvents()).containsExactly("say");
                    assertThat(analysis.getDescription()).contains("Namespace /dup")
                            .contains("firstHandler, secondHandler").contains("[say] would have two handlers");
                    assertThat(analysis.getAction()).contains("merge what firstHandler and secondHandler handle").contains("a NamespaceHandler bean");
                });
    }

    /** The README's split: the same jar as a worker only, where a bean injecting IndirectServer cannot have it. */
    @Test
    void aBeanNeedingTheIndirectServerInAWorkerOnlyProcess() {
        runner(redis.port()).withPropertyValues("distributor.backend.enabled=false",
                "distributor.worker.namespaces=/lobby").withBean("lobbyNews", LobbyNews.class).run(context -> {
                    assertThat(context).hasFailed();
                    FailureAnalysis analysis = analyze(context.getStartupFailure(), new MockEnvironment()
                            .withProperty("distributor.backend.enabled", "false"));
                    assertThat(analysis.getDescription()).startsWith("Bean 'lobbyNews' needs the distributor's "
                            + "IndirectServer").contains("distributor.backend.enabled=false");
                    assertThat(analysis.getAction()).contains("remove distributor.backend.enabled=false")
                            .contains("@ConditionalOnBooleanProperty(name = \"distributor.backend.enabled\", "
                                    + "matchIfMissing = true)").contains("ObjectProvider<IndirectServer>");
                });
    }

    /** Missing with the backend on (a test slice, an excluded auto-configuration): not ours to explain. */
    @Test
    void theIndirectServerMissingWithTheBackendOnIsLeftToSpringBoot() {
        runner(redis.port()).withPropertyValues("distributor.backend.enabled=false",
                "distributor.worker.namespaces=/lobby").withBean("lobbyNews", LobbyNews.class).run(context -> {
                    assertThat(context).hasFailed();
                    MockEnvironment backendOn = new MockEnvironment().withProperty("distributor.backend.enabled",
                            "true");
                    assertThat(new BackendRoleMissingFailureAnalyzer(backendOn).analyze(context.getStartupFailure()))
                            .isNull();
                });
    }
}
