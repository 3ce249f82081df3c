package io.github.siodistributor.autoconfigure;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SocketOptions.KeepAliveOptions;
import java.time.Duration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Gives up a Redis connection that stopped answering at the TCP level (a network partition, a host gone) within
 * about 11 s instead of the 50 s of Lettuce's keepalive defaults. A subscription connection sends nothing of its own,
 * so nothing else notices it gone: until the operating system closes it, what is published to the process is lost.
 * Once closed, Lettuce reconnects and resubscribes. (No TCP_USER_TIMEOUT: Lettuce refuses to connect with it on
 * the NIO transport.)
 */
@AutoConfiguration(before = DataRedisAutoConfiguration.class)
@ConditionalOnClass({ ClientOptions.class, LettuceClientOptionsBuilderCustomizer.class })
public class DistributorKeepAliveAutoConfiguration {

    static final KeepAliveOptions KEEP_ALIVE = KeepAliveOptions.builder().enable().idle(Duration.ofSeconds(5))
            .interval(Duration.ofSeconds(2)).count(3).build();

    /** Applied first, so that an application's own customizer setting socket options wins. */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    @ConditionalOnMissingBean(name = "distributorKeepAlive")
    LettuceClientOptionsBuilderCustomizer distributorKeepAlive() {
        return builder -> {
            // Spring Boot has set its socket options (the connect timeout) already: keep them
            SocketOptions current = builder.build().getSocketOptions();
            builder.socketOptions(current.mutate().keepAlive(KEEP_ALIVE).build());
        };
    }
}
