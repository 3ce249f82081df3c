package io.github.siodistributor.autoconfigure.info;

import io.github.siodistributor.autoconfigure.DistributorBackendAutoConfiguration;
import io.github.siodistributor.autoconfigure.DistributorGatewayAutoConfiguration;
import io.github.siodistributor.autoconfigure.DistributorWorkerAutoConfiguration;
import io.github.siodistributor.autoconfigure.RedisTarget;
import io.github.siodistributor.backend.runtime.DistributorBackend;
import io.github.siodistributor.core.gateway.DistributorGateway;
import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.transport.RedisMessageBus;
import io.github.siodistributor.core.worker.DistributorWorker;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.info.ConditionalOnEnabledInfoContributor;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The distributor's {@code info} contribution, with Actuator on the classpath. Off with
 * {@code management.info.distributor.enabled=false} (or {@code management.info.defaults.enabled=false}); a bean
 * named {@code distributorInfoContributor} replaces it.
 */
@AutoConfiguration(after = { DistributorWorkerAutoConfiguration.class, DistributorBackendAutoConfiguration.class,
        DistributorGatewayAutoConfiguration.class })
@ConditionalOnClass({ InfoContributor.class, ConditionalOnEnabledInfoContributor.class })
@ConditionalOnBean(RedisMessageBus.class)
@ConditionalOnEnabledInfoContributor("distributor")
public class DistributorInfoContributorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "distributorInfoContributor")
    DistributorInfoContributor distributorInfoContributor(ObjectProvider<DistributorWorker> worker,
            ObjectProvider<DistributorBackend> backend, ObjectProvider<DistributorGateway> gateway,
            RedisTarget redisTarget, ChannelNames channels) {
        return new DistributorInfoContributor(worker.getIfAvailable(), backend.getIfAvailable(),
                gateway.getIfAvailable(), redisTarget, channels.prefix());
    }
}
