package io.github.siodistributor.autoconfigure;

import io.github.siodistributor.core.gateway.DistributorGateway;
import io.github.siodistributor.core.gateway.GatewaySettings;
import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.transport.WorkerDirectory;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.util.List;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * The gateway role ({@code distributor.gateway.enabled=true}): one address in front of the live workers, which it
 * reads from Redis. Needs neither the worker nor the backend role in the same application.
 */
@AutoConfiguration(after = { DistributorRedisAutoConfiguration.class, SslAutoConfiguration.class })
@ConditionalOnBean(RedisConnectionFactory.class)
@ConditionalOnBooleanProperty(name = "distributor.gateway.enabled")
public class DistributorGatewayAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(DistributorGatewayAutoConfiguration.class);

    /** The live workers as they report themselves with their lease renewals. */
    @Bean
    @ConditionalOnMissingBean
    WorkerDirectory distributorWorkerDirectory(
            @DistributorRedisConnectionFactory ObjectProvider<RedisConnectionFactory> distributorConnectionFactory,
            ObjectProvider<RedisConnectionFactory> connectionFactory, ChannelNames channels) {
        return new WorkerDirectory(DistributorRedisAutoConfiguration.redisFor(distributorConnectionFactory,
                connectionFactory), channels);
    }

    @Bean
    @ConditionalOnMissingBean
    GatewaySettings distributorGatewaySettings(DistributorProperties properties, ObjectProvider<SslBundles> bundles) {
        DistributorProperties.Gateway gateway = properties.getGateway();
        if (gateway.getBalancing() == null) {
            throw new IllegalArgumentException("distributor.gateway.balancing must be random, round-robin or "
                    + "least-connection");
        }
        return new GatewaySettings(gateway.getHost(),
                PropertyChecks.port(gateway.getPort(), "distributor.gateway.port"), gateway.getBalancing(),
                PropertyChecks.positive(gateway.getRefreshInterval(), "distributor.gateway.refresh-interval"),
                PropertyChecks.positive(gateway.getConnectTimeout(), "distributor.gateway.connect-timeout"),
                PropertyChecks.bytes(gateway.getMaxRequestSize(), "distributor.gateway.max-request-size"),
                PropertyChecks.positive(gateway.getIdleTimeout(), "distributor.gateway.idle-timeout"),
                sslContext(gateway.getSsl().getBundle(), bundles), gateway.isTrustForwardedHeaders());
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    DistributorGateway distributorGateway(GatewaySettings settings, WorkerDirectory directory,
            DistributorProperties properties, ObjectProvider<SslBundles> bundles) {
        DistributorGateway gateway = new DistributorGateway(settings, directory);
        String bundleName = properties.getGateway().getSsl().getBundle();
        SslBundles available = bundles.getIfAvailable();
        if (settings.ssl() != null && bundleName != null && !bundleName.isBlank() && available != null) {
            // called when the bundle's files change, with spring.ssl.bundle.*.<name>.reload-on-update=true
            available.addBundleUpdateHandler(bundleName, updated -> {
                try {
                    gateway.reloadSsl(sslContext(bundleName, updated));
                } catch (IllegalStateException e) {
                    log.error("The distributor gateway keeps its TLS key and certificate: {}", e.getMessage(), e);
                }
            });
        }
        return gateway;
    }

    @Bean
    @ConditionalOnMissingBean(name = "distributorGatewayLifecycle")
    SmartLifecycle distributorGatewayLifecycle(DistributorGateway gateway) {
        return new GatewayLifecycle(gateway);
    }

    /** A Netty server context from the named Spring Boot SSL bundle, or null without one. */
    private static SslContext sslContext(String bundleName, ObjectProvider<SslBundles> bundles) {
        if (bundleName == null || bundleName.isBlank()) {
            return null;
        }
        SslBundles available = bundles.getIfAvailable();
        if (available == null) {
            throw new IllegalStateException("distributor.gateway.ssl.bundle is '" + bundleName + "' but the "
                    + "application has no SSL bundles (spring.ssl.bundle.*)");
        }
        SslBundle bundle;
        try {
            bundle = available.getBundle(bundleName);
        } catch (NoSuchSslBundleException e) {
            throw new IllegalStateException("distributor.gateway.ssl.bundle names '" + bundleName + "', which is not "
                    + "one of the spring.ssl.bundle.* bundles", e);
        }
        return sslContext(bundleName, bundle);
    }

    private static SslContext sslContext(String bundleName, SslBundle bundle) {
        SslOptions options = bundle.getOptions();
        try {
            SslContextBuilder builder = SslContextBuilder.forServer(bundle.getManagers().getKeyManagerFactory());
            if (options.getCiphers() != null) {
                builder.ciphers(List.of(options.getCiphers()));
            }
            if (options.getEnabledProtocols() != null) {
                builder.protocols(options.getEnabledProtocols());
            }
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalStateException("distributor.gateway.ssl.bundle '" + bundleName + "' cannot serve TLS: "
                    + e.getMessage(), e);
        }
    }

    /** Listens once the context is refreshed, stops listening when it closes. */
    static final class GatewayLifecycle implements SmartLifecycle {

        private final DistributorGateway gateway;
        private volatile boolean running;

        GatewayLifecycle(DistributorGateway gateway) {
            this.gateway = gateway;
        }

        @Override
        public void start() {
            gateway.start();
            running = true;
        }

        @Override
        public void stop() {
            gateway.close();
            running = false;
        }

        @Override
        public boolean isRunning() {
            return running;
        }

        /** A closed gateway cannot listen again: it keeps running while its context is paused. */
        @Override
        public boolean isPauseable() {
            return false;
        }
    }
}
