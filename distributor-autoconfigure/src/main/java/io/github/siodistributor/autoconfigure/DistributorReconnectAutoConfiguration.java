package io.github.siodistributor.autoconfigure;

import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Caps Lettuce's reconnect backoff ({@code distributor.redis.outage.reconnect-delay-max}). Lettuce doubles its
 * wait after every failed attempt up to 30 s, so after a long outage each process would come back up to 30 s
 * after Redis, each at its own moment: backends would find the workers' leases missing for longer than their
 * loss grace, and held messages would wait for subscribers that are still backing off.
 */
@AutoConfiguration(before = DataRedisAutoConfiguration.class)
@ConditionalOnClass({ ClientResources.class, ClientResourcesBuilderCustomizer.class })
@EnableConfigurationProperties(DistributorProperties.class)
public class DistributorReconnectAutoConfiguration {

    /** Applied first, so that an application's own customizer setting a reconnect delay wins. */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    @ConditionalOnMissingBean(name = "distributorReconnectDelay")
    ClientResourcesBuilderCustomizer distributorReconnectDelay(DistributorProperties properties) {
        Duration max = PropertyChecks.notNegative(properties.getRedis().getOutage().getReconnectDelayMax(),
                "distributor.redis.outage.reconnect-delay-max");
        if (max.isZero()) {
            return builder -> { };
        }
        return builder -> builder.reconnectDelay(() -> Delay.exponential(Duration.ZERO, max, 2, TimeUnit.MILLISECONDS));
    }
}
