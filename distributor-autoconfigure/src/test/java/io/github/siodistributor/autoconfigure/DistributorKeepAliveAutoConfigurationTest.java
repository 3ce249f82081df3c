package io.github.siodistributor.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.siodistributor.testsupport.TestRedis;
import io.lettuce.core.SocketOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** Spring Boot's Lettuce connections keep its socket options and gain a keepalive that gives a dead peer up in ~11 s. */
class DistributorKeepAliveAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
            AutoConfigurations.of(DataRedisAutoConfiguration.class, DistributorKeepAliveAutoConfiguration.class));

    @Test
    void theConnectionsProbeAnIdlePeerAfter5sAndKeepSpringBootsConnectTimeout() {
        runner.withPropertyValues("spring.data.redis.connect-timeout=3s").run(context -> {
            SocketOptions socket = socketOptions(context.getBean(LettuceConnectionFactory.class));
            assertThat(socket.getConnectTimeout()).isEqualTo(Duration.ofSeconds(3));
            assertThat(socket.getKeepAlive().isEnabled()).isTrue();
            assertThat(socket.getKeepAlive().getIdle()).isEqualTo(Duration.ofSeconds(5));
            assertThat(socket.getKeepAlive().getInterval()).isEqualTo(Duration.ofSeconds(2));
            assertThat(socket.getKeepAlive().getCount()).isEqualTo(3);
        });
    }

    /** Options Lettuce cannot apply on the transport in use fail every connect: these are applied on NIO. */
    @Test
    void aConnectionWithThemWorks() {
        try (TestRedis redis = TestRedis.startNew()) {
            runner.withPropertyValues("spring.data.redis.port=" + redis.port()).run(context -> {
                try (var connection = context.getBean(LettuceConnectionFactory.class).getConnection()) {
                    assertThat(connection.ping()).isEqualTo("PONG");
                }
            });
        }
    }

    @Test
    void anApplicationsOwnSocketOptionsWin() {
        runner.withBean(LettuceClientOptionsBuilderCustomizer.class, () -> builder -> builder.socketOptions(
                SocketOptions.builder().keepAlive(SocketOptions.KeepAliveOptions.builder().disable().build()).build()))
                .run(context -> assertThat(socketOptions(context.getBean(LettuceConnectionFactory.class))
                        .getKeepAlive().isEnabled()).isFalse());
    }

    private static SocketOptions socketOptions(LettuceConnectionFactory factory) {
        return factory.getClientConfiguration().getClientOptions().orElseThrow().getSocketOptions();
    }
}
