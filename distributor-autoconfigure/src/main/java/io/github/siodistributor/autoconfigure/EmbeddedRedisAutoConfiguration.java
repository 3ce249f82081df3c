package io.github.siodistributor.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Opt-in ({@code distributor.redis.embedded.enabled=true}): starts a real Redis server from the
 * embedded-redis binary and points Spring Boot's Redis connection at it, so a demo needs no Redis
 * installed. Never on by default: production uses {@code spring.data.redis.*}. Backs off when the application
 * has a Redis of its own already: a connection factory, or connection details (a Testcontainers
 * {@code @ServiceConnection}, Docker Compose), which {@code @DistributorTest} would otherwise clash with.
 */
@AutoConfiguration(before = DataRedisAutoConfiguration.class)
@ConditionalOnClass(name = DistributorRedisAutoConfiguration.EMBEDDED_SERVER_CLASS)
@ConditionalOnBooleanProperty("distributor.redis.embedded.enabled")
@ConditionalOnMissingBean({ DataRedisConnectionDetails.class, RedisConnectionFactory.class })
@EnableConfigurationProperties(DistributorProperties.class)
public class EmbeddedRedisAutoConfiguration {

    @Bean(destroyMethod = "stop")
    EmbeddedRedisServer distributorEmbeddedRedis(DistributorProperties properties) {
        return EmbeddedRedisServer.start(PropertyChecks.port(properties.getRedis().getEmbedded().getPort(),
                "distributor.redis.embedded.port"));
    }

    @Bean
    DataRedisConnectionDetails distributorEmbeddedRedisConnectionDetails(EmbeddedRedisServer server) {
        DataRedisConnectionDetails.Standalone standalone = DataRedisConnectionDetails.Standalone.of(server.host(),
                server.port());
        return new DataRedisConnectionDetails() {
            @Override
            public Standalone getStandalone() {
                return standalone;
            }
        };
    }
}
