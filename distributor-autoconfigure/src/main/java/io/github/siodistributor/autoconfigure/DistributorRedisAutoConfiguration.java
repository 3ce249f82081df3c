package io.github.siodistributor.autoconfigure;

import io.github.siodistributor.autoconfigure.failure.RedisClusterNotSupportedException;
import io.github.siodistributor.backend.runtime.DistributorBackend;
import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.transport.BackendRegistry;
import io.github.siodistributor.core.transport.CustomMessageListener;
import io.github.siodistributor.core.transport.CustomMessages;
import io.github.siodistributor.core.transport.DroppedMessages;
import io.github.siodistributor.core.transport.OutageSettings;
import io.github.siodistributor.core.transport.RedisMessageBus;
import io.github.siodistributor.core.transport.WorkerLeases;
import java.time.Duration;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.ClassUtils;

/** The distributor's Redis transport, shared by the worker and backend roles of one application. */
@AutoConfiguration(after = DataRedisAutoConfiguration.class)
@ConditionalOnBean(RedisConnectionFactory.class)
@EnableConfigurationProperties(DistributorProperties.class)
public class DistributorRedisAutoConfiguration {

    /** The embedded-redis library's server: present when the embedded Redis can be asked for. */
    static final String EMBEDDED_SERVER_CLASS = "redis.embedded.RedisServer";

    @Bean
    @ConditionalOnMissingBean
    ChannelNames distributorChannelNames(DistributorProperties properties) {
        String prefix = properties.getRedis().getPrefix();
        return PropertyChecks.named("distributor.redis.prefix", () -> new ChannelNames(prefix));
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
            ObjectProvider<RedisConnectionFactory> connectionFactory, DroppedMessages dropped, ChannelNames channels,
            DistributorProperties properties) {
        DistributorProperties.Redis redis = properties.getRedis();
        RedisMessageBus bus = new RedisMessageBus(redisFor(distributorConnectionFactory, connectionFactory), dropped,
                channels, outageSettings(redis.getOutage()), PropertyChecks.atLeastOneByte(redis.getMaxMessageSize(),
                        "distributor.redis.max-message-size"));
        Duration checkInterval = PropertyChecks.notNegative(redis.getSubscriptionCheckInterval(),
                "distributor.redis.subscription-check-interval");
        if (!checkInterval.isZero()) {
            bus.watchSubscription(checkInterval, PropertyChecks.positive(redis.getProbeTimeout(),
                    "distributor.redis.probe-timeout"));
        }
        return bus;
    }

    private static OutageSettings outageSettings(DistributorProperties.Outage outage) {
        if (outage.getPolicy() == null) {
            throw new IllegalArgumentException("distributor.redis.outage.policy must be buffer or reject");
        }
        return new OutageSettings(outage.getPolicy(),
                PropertyChecks.atLeastOne(outage.getBufferLimit(), "distributor.redis.outage.buffer-limit"),
                PropertyChecks.atLeastOneByte(outage.getBufferSize(), "distributor.redis.outage.buffer-size"),
                PropertyChecks.notNegative(outage.getResubscribeGrace(), "distributor.redis.outage.resubscribe-grace"));
    }

    /** The workers' leases on their ids: uniqueness of ids, and how backends notice a dead worker. */
    @Bean
    @ConditionalOnMissingBean
    WorkerLeases distributorWorkerLeases(
            @DistributorRedisConnectionFactory ObjectProvider<RedisConnectionFactory> distributorConnectionFactory,
            ObjectProvider<RedisConnectionFactory> connectionFactory, ChannelNames channels) {
        return new WorkerLeases(redisFor(distributorConnectionFactory, connectionFactory), channels);
    }

    /** The live backend instances of each namespace: their heartbeats, read by the workers. */
    @Bean
    @ConditionalOnMissingBean
    BackendRegistry distributorBackendRegistry(
            @DistributorRedisConnectionFactory ObjectProvider<RedisConnectionFactory> distributorConnectionFactory,
            ObjectProvider<RedisConnectionFactory> connectionFactory, ChannelNames channels) {
        return new BackendRegistry(redisFor(distributorConnectionFactory, connectionFactory), channels);
    }

    /** The application's own messages between workers and backends; listener beans are subscribed on start-up. */
    @Bean
    @ConditionalOnMissingBean
    CustomMessages distributorCustomMessages(RedisMessageBus bus, ChannelNames channels,
            DistributorProperties properties) {
        boolean worker = properties.getWorker().isEnabled();
        String senderId = worker ? properties.getWorker().getId() : "backend-" + UUID.randomUUID().toString()
                .substring(0, 8);
        return new CustomMessages(bus, channels, senderId);
    }

    @Bean
    static SmartInitializingSingleton distributorCustomMessageListenerRegistrar(
            ObjectProvider<CustomMessages> customMessages, ObjectProvider<CustomMessageListener> listeners) {
        // after every singleton exists, so that a listener may itself inject CustomMessages to answer
        return () -> customMessages.ifAvailable(messages -> listeners.orderedStream().forEach(messages::subscribe));
    }

    @Bean
    @ConditionalOnMissingBean
    DistributorLifecycle distributorLifecycle(RedisMessageBus bus,
            ObjectProvider<io.github.siodistributor.core.worker.DistributorWorker> worker,
            ObjectProvider<DistributorBackend> backend, BackendRegistry registry, DistributorProperties properties,
            RedisTarget redisTarget, ChannelNames channels) {
        DistributorProperties.Backend settings = properties.getBackend();
        return new DistributorLifecycle(bus, worker, backend, registry, PropertyChecks.atLeast(
                WorkerLeases.MINIMUM_TTL, settings.getHeartbeatTtl(), "distributor.backend.heartbeat-ttl"),
                PropertyChecks.positive(settings.getHandoverTimeout(),
                        "distributor.backend.handover-timeout"), redisTarget, channels.prefix());
    }

    @Bean
    PausedRedisConnections distributorPausedRedisConnections(RedisMessageBus bus) {
        return new PausedRedisConnections(bus);
    }

    /** Which Redis the distributor uses, in words (start-up log, info endpoint, start-up errors). */
    @Bean
    @ConditionalOnMissingBean
    RedisTarget distributorRedisTarget(
            @DistributorRedisConnectionFactory ObjectProvider<RedisConnectionFactory> distributorConnectionFactory,
            ObjectProvider<RedisConnectionFactory> connectionFactory, DistributorProperties properties,
            ConfigurableListableBeanFactory beanFactory) {
        boolean embedded = properties.getRedis().getEmbedded().isEnabled();
        if (embedded && !ClassUtils.isPresent(EMBEDDED_SERVER_CLASS, beanFactory.getBeanClassLoader())) {
            // the embedded auto-configuration backs off without it, and the application would quietly try another
            // Redis, with an error that points back at this property
            throw new IllegalStateException("distributor.redis.embedded.enabled is true, but the embedded Redis "
                    + "server is not on the classpath: add com.github.codemonstur:embedded-redis, or set "
                    + "spring.data.redis.* for a Redis of your own");
        }
        // the embedded server backs off for a Redis of the application's own
        return RedisTarget.of(redisFor(distributorConnectionFactory, connectionFactory),
                embedded && beanFactory.containsBean("distributorEmbeddedRedis"));
    }

    /**
     * As Spring Session does: the factory qualified {@link DistributorRedisConnectionFactory}, else the application's.
     *
     * @throws RedisClusterNotSupportedException when it is a Redis Cluster one
     */
    static RedisConnectionFactory redisFor(ObjectProvider<RedisConnectionFactory> distributorConnectionFactory,
            ObjectProvider<RedisConnectionFactory> connectionFactory) {
        RedisConnectionFactory factory = distributorConnectionFactory.getIfAvailable(connectionFactory::getObject);
        if (factory instanceof LettuceConnectionFactory lettuce && lettuce.isClusterAware()) {
            throw new RedisClusterNotSupportedException(String.valueOf(lettuce.getClusterConfiguration()
                    .getClusterNodes()));
        }
        return factory;
    }
}
