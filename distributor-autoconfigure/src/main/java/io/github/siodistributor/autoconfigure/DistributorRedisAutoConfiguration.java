package io.github.siodistributor.autoconfigure;

import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.transport.DroppedMessages;
import io.github.siodistributor.core.transport.RedisMessageBus;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/** The distributor's Redis transport, shared by the worker and backend roles of one application. */
@AutoConfiguration(after = DataRedisAutoConfiguration.class)
@ConditionalOnBean(RedisConnectionFactory.class)
@EnableConfigurationProperties(DistributorProperties.class)
public class DistributorRedisAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ChannelNames distributorChannelNames(DistributorProperties properties) {
        return new ChannelNames(properties.getRedis().getPrefix());
    }

    @Bean
    @ConditionalOnMissingBean
    DroppedMessages distributorDroppedMessages() {
        return new DroppedMessages();
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    RedisMessageBus distributorMessageBus(
            @DistributorRedisConnectionFactory ObjectProvider<RedisConnectionFactory> distributorConnectionFactory,
            ObjectProvider<RedisConnectionFactory> connectionFactory, DroppedMessages dropped) {
        RedisConnectionFactory factory = distributorConnectionFactory.getIfAvailable(connectionFactory::getObject);
        return new RedisMessageBus(factory, dropped);
    }

    @Bean
    @ConditionalOnMissingBean
    DistributorLifecycle distributorLifecycle(RedisMessageBus bus,
            ObjectProvider<io.github.siodistributor.core.worker.DistributorWorker> worker) {
        return new DistributorLifecycle(bus, worker);
    }
}
