package io.github.siodistributor.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.annotation.OnConnect;
import io.github.siodistributor.backend.annotation.OnEvent;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import io.github.siodistributor.backend.runtime.DistributorBackend;
import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.Handshake;
import io.github.siodistributor.core.protocol.Message.SocketConnected;
import io.github.siodistributor.core.protocol.Message;
import io.github.siodistributor.core.protocol.MessageCodec;
import io.github.siodistributor.core.protocol.SocketIds;
import io.github.siodistributor.core.transport.RedisMessageBus;
import io.github.siodistributor.core.worker.DistributorWorker;
import io.github.siodistributor.core.worker.WorkerSettings;
import io.github.siodistributor.testsupport.FreePorts;
import io.github.siodistributor.testsupport.NodeClients;
import io.github.siodistributor.testsupport.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.context.annotation.Scope;
import org.springframework.context.annotation.ScopedProxyMode;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@ExtendWith(OutputCaptureExtension.class)
class DistributorAutoConfigurationTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final AtomicInteger PREFIXES = new AtomicInteger();

    private static TestRedis redis;
    private static TestRedis secondRedis;
    private static NodeClients clients;

    @BeforeAll
    static void startServers() {
        redis = TestRedis.startNew();
        secondRedis = TestRedis.startNew();
        assertThat(List.of(redis.port(), secondRedis.port())).doesNotContain(FreePorts.CONVENIENCE_REDIS_PORT);
    }

    @AfterAll
    static void stopServers() {
        if (clients != null) {
            clients.close();
        }
        if (secondRedis != null) {
            secondRedis.stop();
        }
        if (redis != null) {
            redis.stop();
        }
    }

    /** One Node driver for the tests that connect real Socket.IO clients. */
    private static synchronized NodeClients clients() {
        if (clients == null) {
            clients = new NodeClients();
        }
        return clients;
    }

    private static String uniquePrefix() {
        return "autoconf-test-" + PREFIXES.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static ApplicationContextRunner autoConfigured() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
                        JacksonAutoConfiguration.class, EmbeddedRedisAutoConfiguration.class,
                        DistributorRedisAutoConfiguration.class, DistributorBackendAutoConfiguration.class,
                        DistributorWorkerAutoConfiguration.class))
                .withPropertyValues("distributor.worker.port=0", "distributor.redis.prefix=" + uniquePrefix(),
                        "distributor.backend.handler-threads=2");
    }

    private static ApplicationContextRunner runner() {
        return autoConfigured().withPropertyValues("spring.data.redis.host=127.0.0.1",
                "spring.data.redis.port=" + redis.port());
    }

    @SocketNamespace("game")
    public static class NoSlashHandler {
    }

    @SocketNamespace("/chat")
    public static class ChatHandler {
        final List<String> connected = new CopyOnWriteArrayList<>();

        @OnConnect
        public void connected(IndirectSocket socket) {
            connected.add(socket.id());
        }

        @OnEvent("ping")
        public String ping(String text) {
            return "pong " + text;
        }
    }

    private static String url(DistributorWorker worker) {
        return "http://127.0.0.1:" + worker.port();
    }

    private static String valueOn(TestRedis server, String key) {
        RedisClient client = RedisClient.create(RedisURI.create(server.host(), server.port()));
        try (var connection = client.connect()) {
            return connection.sync().get(key);
        } finally {
            client.shutdown();
        }
    }

    private static int subscribers(TestRedis server, String channel) {
        RedisClient client = RedisClient.create(RedisURI.create(server.host(), server.port()));
        try (var connection = client.connect()) {
            Map<String, Long> counts = connection.sync().pubsubNumsub(channel);
            return counts.getOrDefault(channel, 0L).intValue();
        } finally {
            client.shutdown();
        }
    }

    // ---- roles ----------------------------------------------------------------------------------

    @Test
    void runsBothRolesByDefaultAndTheWorkerServesTheHandlersNamespace() throws Exception {
        runner().withBean(ChatHandler.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).hasSingleBean(DistributorWorker.class).hasSingleBean(DistributorBackend.class)
                    .hasSingleBean(RedisMessageBus.class);
            DistributorWorker worker = context.getBean(DistributorWorker.class);
            DistributorBackend backend = context.getBean(DistributorBackend.class);
            ChatHandler chat = context.getBean(ChatHandler.class);
            assertThat(context.getBean(WorkerSettings.class).namespaces()).containsExactly("/chat");
            assertThat(backend.namespaces()).containsExactly("/chat");
            assertThat(worker.port()).isPositive();
            assertThat(context.getBean(RedisMessageBus.class).isListening()).isTrue();

            NodeClients io = clients();
            String id = "both-" + UUID.randomUUID();
            io.connect(id, url(worker), "/chat");
            String socketId = io.awaitConnect(id).path("socketId").asText();

            assertThat(SocketIds.workerOf(socketId)).isEqualTo(worker.id());
            await().atMost(TIMEOUT).until(() -> chat.connected.contains(socketId));
            List<com.fasterxml.jackson.databind.JsonNode> ack = io.emitWithAck(id, "ping", "x")
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertThat(ack).hasSize(1);
            assertThat(ack.get(0).asText()).isEqualTo("pong x");

            String stranger = "stranger-" + UUID.randomUUID();
            io.connect(stranger, url(worker), "/not-served");
            assertThat(io.awaitConnectError(stranger).path("message").asText()).isEqualTo("Invalid namespace");
            io.disconnect(id);
        });
    }

    /** As {@code @RefreshScope} makes it: a proxy bean and its scoped target, which is the one handler. */
    @Configuration(proxyBeanMethods = false)
    static class ScopedProxyHandler {

        @Bean
        @Scope(scopeName = "prototype", proxyMode = ScopedProxyMode.TARGET_CLASS)
        ChatHandler scopedChatHandler() {
            return new ChatHandler();
        }

        /** Hand-written: found by its type rather than by the annotation. */
        @Bean
        @Scope(scopeName = "prototype", proxyMode = ScopedProxyMode.TARGET_CLASS)
        ScopedNewsHandler scopedNewsHandler() {
            return new ScopedNewsHandler();
        }
    }

    static class ScopedNewsHandler implements io.github.siodistributor.backend.NamespaceHandler {
        @Override
        public String namespace() {
            return "/news";
        }

        @Override
        public void onConnect(IndirectSocket socket) {
        }

        @Override
        public void onEvent(IndirectSocket socket, String event, io.github.siodistributor.backend.SocketArgs args,
                io.github.siodistributor.backend.Ack ack) {
        }

        @Override
        public void onDisconnect(IndirectSocket socket, String reason) {
        }
    }

    @Test
    void aScopedProxyHandlerIsOneHandlerNotTwo() {
        runner().withUserConfiguration(ScopedProxyHandler.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(DistributorBackend.class).namespaces()).containsExactlyInAnyOrder("/chat",
                    "/news");
        });
    }

    @Test
    void theWorkerCanBeTurnedOff() {
        runner().withBean(ChatHandler.class).withPropertyValues("distributor.worker.enabled=false").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(DistributorWorker.class).doesNotHaveBean(WorkerSettings.class);
            assertThat(context).hasSingleBean(DistributorBackend.class).hasSingleBean(RedisMessageBus.class);
            assertThat(context.getBean(DistributorBackend.class).namespaces()).containsExactly("/chat");
        });
    }

    @Test
    void theBackendCanBeTurnedOff() {
        runner().withBean(ChatHandler.class).withPropertyValues("distributor.backend.enabled=false").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(DistributorBackend.class)
                    .doesNotHaveBean("distributorHandlerExecutor");
            assertThat(context).hasSingleBean(DistributorWorker.class);
            assertThat(context.getBean(WorkerSettings.class).namespaces()).containsExactly("/chat");
        });
    }

    @Test
    void aWorkerWithoutNamespacesFailsToStartNamingTheProperty() {
        runner().run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("distributor.worker.namespaces");
        });
    }

    @Test
    void aBackendOnlyApplicationNeedsNoNamespaces() {
        runner().withPropertyValues("distributor.worker.enabled=false").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).hasSingleBean(DistributorBackend.class).doesNotHaveBean(DistributorWorker.class);
            assertThat(context.getBean(DistributorBackend.class).namespaces()).isEmpty();
        });
    }

    @Test
    void theConfiguredNamespacesAreServed() {
        runner().withPropertyValues("distributor.worker.namespaces=/a,/b", "distributor.worker.connect-timeout=1s")
                .run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(WorkerSettings.class).namespaces()).containsExactly("/a", "/b");
            DistributorWorker worker = context.getBean(DistributorWorker.class);
            String prefix = context.getBean(ChannelNames.class).prefix();
            assertThat(subscribers(redis, prefix + ":broadcast:/a")).isEqualTo(1);
            assertThat(subscribers(redis, prefix + ":broadcast:/b")).isEqualTo(1);

            NodeClients io = clients();
            String onB = "b-" + UUID.randomUUID();
            String onChat = "chat-" + UUID.randomUUID();
            io.connect(onB, url(worker), "/b");
            io.connect(onChat, url(worker), "/chat");
            // /b is served, but no backend handles it here: the worker waits for a connect decision in vain
            assertThat(io.awaitConnectError(onB).get("message").asText())
                    .isEqualTo("the namespace's backend did not answer");
            assertThat(io.awaitConnectError(onChat).get("message").asText()).isEqualTo("Invalid namespace");
        });
    }

    @Test
    void theConfiguredNamespacesWinOverTheHandlerBeans() {
        runner().withBean(ChatHandler.class).withPropertyValues("distributor.worker.namespaces=/a").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(WorkerSettings.class).namespaces()).containsExactly("/a");
            assertThat(context.getBean(DistributorBackend.class).namespaces()).containsExactly("/chat");
        });
    }

    // ---- user beans win -------------------------------------------------------------------------

    @Test
    void aUserDefinedChannelNamesBeanWins() {
        String custom = uniquePrefix() + "-custom";
        runner().withBean(ChatHandler.class).withBean(ChannelNames.class, () -> new ChannelNames(custom))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).hasSingleBean(ChannelNames.class);
                    assertThat(context.getBean(ChannelNames.class).prefix()).isEqualTo(custom);
                    assertThat(context.getBean(WorkerSettings.class).channels().prefix()).isEqualTo(custom);
                    // the backend listens under the user's prefix
                    assertThat(subscribers(redis, custom + ":peers:/chat")).isEqualTo(1);
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class TwoRedisConfiguration {

        @Bean(destroyMethod = "destroy")
        @Primary
        LettuceConnectionFactory applicationRedisConnectionFactory() {
            return new LettuceConnectionFactory(new RedisStandaloneConfiguration(redis.host(), redis.port()));
        }

        @Bean(destroyMethod = "destroy")
        @DistributorRedisConnectionFactory
        LettuceConnectionFactory distributorRedisConnectionFactoryBean() {
            return new LettuceConnectionFactory(new RedisStandaloneConfiguration(secondRedis.host(),
                    secondRedis.port()));
        }
    }

    /** The distributor's own Redis and nothing else: Spring Boot's factory stays for the application's data. */
    @Configuration(proxyBeanMethods = false)
    static class DedicatedRedisOnlyConfiguration {

        @Bean(destroyMethod = "destroy", defaultCandidate = false)
        @DistributorRedisConnectionFactory
        LettuceConnectionFactory distributorRedisConnectionFactoryBean() {
            return new LettuceConnectionFactory(new RedisStandaloneConfiguration(secondRedis.host(),
                    secondRedis.port()));
        }
    }

    @Test
    void aDedicatedFactoryThatIsNoDefaultCandidateLeavesSpringBootsOwnToTheApplication() {
        runner().withUserConfiguration(DedicatedRedisOnlyConfiguration.class).withBean(ChatHandler.class)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    // Spring Boot's, from spring.data.redis.*: the application's data stays on its own Redis
                    assertThat(context.getBean(RedisConnectionFactory.class))
                            .isNotSameAs(context.getBean("distributorRedisConnectionFactoryBean"));
                    StringRedisTemplate application = context.getBean(StringRedisTemplate.class);
                    application.opsForValue().set("application-key", "kept");
                    assertThat(valueOn(redis, "application-key")).isEqualTo("kept");
                    assertThat(valueOn(secondRedis, "application-key")).isNull();
                    String prefix = context.getBean(ChannelNames.class).prefix();
                    assertThat(subscribers(secondRedis, prefix + ":peers:/chat")).isEqualTo(1);
                    assertThat(subscribers(redis, prefix + ":peers:/chat")).isZero();
                });
    }

    @Test
    void theQualifiedConnectionFactoryCarriesTheDistributorTraffic() {
        runner().withUserConfiguration(TwoRedisConfiguration.class).withBean(ChatHandler.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(RedisConnectionFactory.class))
                    .isSameAs(context.getBean("applicationRedisConnectionFactory"));
            String prefix = context.getBean(ChannelNames.class).prefix();
            String channel = prefix + ":probe";

            RedisClient client = RedisClient.create(RedisURI.create(secondRedis.host(), secondRedis.port()));
            try (StatefulRedisPubSubConnection<byte[], byte[]> subscriber = client.connectPubSub(ByteArrayCodec.INSTANCE)) {
                List<byte[]> received = Collections.synchronizedList(new ArrayList<>());
                subscriber.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(byte[] ch, byte[] message) {
                        received.add(message);
                    }
                });
                subscriber.sync().subscribe(channel.getBytes(StandardCharsets.UTF_8));
                Message probe = new Message.DisconnectSocket("/chat", "w.00000000-0000-0000-0000-000000000000");

                context.getBean(RedisMessageBus.class).publish(channel, probe);

                await().atMost(TIMEOUT).until(() -> !received.isEmpty());
                assertThat(MessageCodec.decode(received.get(0))).isEqualTo(probe);
            } finally {
                client.shutdown();
            }
            // the subscriptions are on the distributor's server only
            assertThat(subscribers(secondRedis, prefix + ":peers:/chat")).isEqualTo(1);
            assertThat(subscribers(redis, prefix + ":peers:/chat")).isZero();
        });
    }

    /** A namespace left out of the worker's list, in a process that handles it, is said at start, not only to clients. */
    @Test
    void aHandledNamespaceTheWorkerDoesNotAcceptIsWarnedOf(CapturedOutput output) {
        runner().withBean(ChatHandler.class).withPropertyValues("distributor.worker.namespaces=/news,^/room-\\d+$")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(output).contains("This process handles [/chat], but its worker does not accept it "
                            + "(distributor.worker.namespaces=[/news, ^/room-\\d+$])");
                });
        runner().withBean(ChatHandler.class).withPropertyValues("distributor.worker.namespaces=/news,/chat")
                .run(context -> assertThat(context).hasNotFailed());
        assertThat(output).containsOnlyOnce("but its worker does not accept");
    }

    /** In every role, not only the backend's: a worker that serves the handlers' namespaces checks them first. */
    @Test
    void aHandlerWithAnInvalidNamespaceFailsTheStartNamingItsClass() {
        for (String roles : List.of("distributor.backend.enabled=true", "distributor.worker.enabled=false",
                "distributor.backend.enabled=false")) {
            runner().withBean(NoSlashHandler.class).withPropertyValues(roles).run(context -> {
                assertThat(context).as(roles).hasFailed();
                assertThat(Stream.iterate(context.getStartupFailure(), Objects::nonNull, Throwable::getCause))
                        .as(roles).anySatisfy(cause -> assertThat(cause).hasMessage("@SocketNamespace(\"game\") on "
                                + NoSlashHandler.class.getName() + ": namespace 'game' must start with '/' (a name) "
                                + "or '^' (a pattern for dynamic namespaces)"));
            });
        }
    }

    // ---- embedded Redis -------------------------------------------------------------------------

    @Test
    void anEmbeddedRedisCanBeStartedForDevelopment() {
        int port = FreePorts.find();
        autoConfigured().withBean(ChatHandler.class)
                .withPropertyValues("distributor.redis.embedded.enabled=true", "distributor.redis.embedded.port=" + port)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).hasSingleBean(EmbeddedRedisServer.class);
                    assertThat(context.getBean(EmbeddedRedisServer.class).port()).isEqualTo(port);
                    LettuceConnectionFactory factory = context.getBean(LettuceConnectionFactory.class);
                    assertThat(factory.getPort()).isEqualTo(port);

                    // a connect published through the bus reaches the handler through the embedded server
                    ChatHandler chat = context.getBean(ChatHandler.class);
                    String socketId = SocketIds.of("w-embedded", UUID.randomUUID().toString());
                    Handshake handshake = new Handshake(Map.of(), Map.of(), new byte[] {'{', '}'}, "127.0.0.1", "/",
                            System.currentTimeMillis());
                    context.getBean(RedisMessageBus.class).publish(
                            context.getBean(ChannelNames.class).instance(
                                    context.getBean(io.github.siodistributor.backend.runtime.DistributorBackend.class)
                                            .id()),
                            new SocketConnected("/chat", socketId, handshake));

                    await().atMost(TIMEOUT).until(() -> chat.connected.contains(socketId));
                });
    }

    /** As a Testcontainers {@code @ServiceConnection} (with {@code @DistributorTest}, which asks for the embedded one). */
    @Test
    void theEmbeddedRedisBacksOffForConnectionDetailsOfTheApplicationsOwn() {
        DataRedisConnectionDetails.Standalone own = DataRedisConnectionDetails.Standalone.of("127.0.0.1", redis.port());
        autoConfigured().withBean(ChatHandler.class)
                .withBean("serviceConnection", DataRedisConnectionDetails.class, () -> new DataRedisConnectionDetails() {
                    @Override
                    public Standalone getStandalone() {
                        return own;
                    }
                })
                .withPropertyValues("distributor.redis.embedded.enabled=true").run(context -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean(EmbeddedRedisServer.class)
                            .hasSingleBean(DataRedisConnectionDetails.class);
                    assertThat(context.getBean(LettuceConnectionFactory.class).getPort()).isEqualTo(redis.port());
                    assertThat(context.getBean(RedisTarget.class).description()).doesNotContain("embedded");
                });
    }

    @Test
    void theEmbeddedRedisIsOffByDefault() {
        runner().withBean(ChatHandler.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(EmbeddedRedisServer.class);
            assertThat(context.getBean(LettuceConnectionFactory.class).getPort()).isEqualTo(redis.port());
        });
    }

    // ---- validation -----------------------------------------------------------------------------

    @Test
    void aBadWorkerIdFailsStartUpNamingThePattern() {
        runner().withBean(ChatHandler.class).withPropertyValues("distributor.worker.id=has space").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("has space")
                    .hasMessageContaining(SocketIds.WORKER_ID.pattern());
        });
    }

    @Test
    void aRequestTimeoutThatIsNotPositiveFailsStartUpNamingTheProperty() {
        for (String timeout : List.of("0s", "-1s")) {
            runner().withPropertyValues("distributor.worker.enabled=false", "distributor.backend.request-timeout="
                    + timeout).run(context -> {
                        assertThat(context).as("request-timeout=%s", timeout).hasFailed();
                        assertThat(context.getStartupFailure()).rootCause()
                                .hasMessageContaining("distributor.backend.request-timeout");
                    });
        }
        runner().withPropertyValues("distributor.worker.enabled=false", "distributor.backend.request-timeout=250ms")
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(DistributorBackend.class));
    }

    @Test
    void theConfiguredWorkerIdNamesTheWorker() {
        runner().withBean(ChatHandler.class).withPropertyValues("distributor.worker.id=worker_7").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(DistributorWorker.class).id()).isEqualTo("worker_7");
            String prefix = context.getBean(ChannelNames.class).prefix();
            assertThat(subscribers(redis, prefix + ":worker:worker_7")).isEqualTo(1);
        });
    }

    // ---- configuration metadata -----------------------------------------------------------------

    @Test
    void theConfigurationMetadataDocumentsTheProperties() throws Exception {
        JsonNode metadata = null;
        for (URL url : Collections.list(getClass().getClassLoader()
                .getResources("META-INF/spring-configuration-metadata.json"))) {
            try (InputStream in = url.openStream()) {
                JsonNode candidate = JsonMapper.builder().build().readTree(in);
                for (JsonNode group : candidate.path("groups")) {
                    if ("distributor".equals(group.path("name").asString())) {
                        metadata = candidate;
                    }
                }
            }
        }
        assertThat(metadata).as("a spring-configuration-metadata.json with the distributor group").isNotNull();

        Map<String, JsonNode> properties = new java.util.HashMap<>();
        for (JsonNode property : metadata.path("properties")) {
            properties.put(property.path("name").asString(), property);
        }
        for (String name : List.of("distributor.redis.prefix", "distributor.worker.port",
                "distributor.backend.handler-threads", "distributor.worker.namespaces", "distributor.worker.id",
                "distributor.worker.enabled", "distributor.backend.enabled", "distributor.redis.embedded.enabled")) {
            assertThat(properties).as(name).containsKey(name);
            assertThat(properties.get(name).path("description").asString()).as("description of %s", name).isNotBlank();
        }
        assertThat(properties.get("distributor.redis.prefix").path("defaultValue").asString()).isEqualTo("sio");
        assertThat(properties.get("distributor.worker.port").path("defaultValue").asInt()).isEqualTo(9092);
        assertThat(properties.get("distributor.backend.handler-threads").path("type").asString())
                .isIn("java.lang.Integer", "int");
    }
}
