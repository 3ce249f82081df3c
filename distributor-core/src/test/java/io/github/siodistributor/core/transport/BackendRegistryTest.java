package io.github.siodistributor.core.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.testsupport.TestRedis;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

class BackendRegistryTest {

    @AutoClose
    private static final TestRedis redis = TestRedis.startNew();

    private final ChannelNames names = new ChannelNames("registry-test");
    private LettuceConnectionFactory factory;
    private BackendRegistry registry;
    private StringRedisTemplate template;

    @BeforeEach
    void connect() {
        factory = TestConnectionFactories.startedFor(redis);
        registry = new BackendRegistry(factory, names);
        template = new StringRedisTemplate(factory);
        template.delete(names.instanceRegistry("/chat"));
    }

    @AfterEach
    void disconnect() {
        factory.destroy();
    }

    @Test
    void aHeartbeatWithAShortTtlNeverShortensTheKeyUnderOneWithALongTtl() {
        // instances of one namespace configured differently: the key must outlive the longest heartbeat
        registry.heartbeat("long", List.of("/chat"), Duration.ofMinutes(10));
        registry.heartbeat("short", List.of("/chat"), Duration.ofSeconds(1));

        assertThat(template.getExpire(names.instanceRegistry("/chat"), TimeUnit.MILLISECONDS))
                .isGreaterThan(Duration.ofMinutes(10).toMillis());
        assertThat(registry.instances(List.of("/chat"))).isEqualTo(Map.of("/chat", Map.of("long", true,
                "short", true)));

        // and a longer one extends it
        registry.heartbeat("longer", List.of("/chat"), Duration.ofMinutes(20));
        assertThat(template.getExpire(names.instanceRegistry("/chat"), TimeUnit.MILLISECONDS))
                .isGreaterThan(Duration.ofMinutes(20).toMillis());
    }

    @Test
    void anExpiredHeartbeatReadsAsNotRunningAndARemovedInstanceIsNotListed() {
        registry.heartbeat("gone-soon", List.of("/chat"), Duration.ofMillis(1));
        registry.heartbeat("stays", List.of("/chat"), Duration.ofMinutes(1));
        registry.heartbeat("leaves", List.of("/chat"), Duration.ofMinutes(1));
        registry.remove("leaves", List.of("/chat"));

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                Boolean.FALSE.equals(registry.instances(List.of("/chat")).get("/chat").get("gone-soon")));
        assertThat(registry.instances(List.of("/chat", "/other"))).isEqualTo(Map.of("/chat", Map.of(
                "gone-soon", false, "stays", true), "/other", Map.of()));
    }
}
