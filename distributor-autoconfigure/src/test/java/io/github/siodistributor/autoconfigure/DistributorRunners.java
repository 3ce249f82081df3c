package io.github.siodistributor.autoconfigure;

import io.github.siodistributor.testsupport.TestRedis;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Application contexts with both distributor roles on a test's Redis, as the tests of one concern need them. */
public final class DistributorRunners {

    private DistributorRunners() {
    }

    /**
     * Redis, Jackson, both roles (the worker's Redis connections on its event loops) and {@code more} auto-configurations, on {@code redisPort} of 127.0.0.1; the worker on
     * a free port of 127.0.0.1, a prefix of the test's own.
     */
    public static ApplicationContextRunner bothRoles(int redisPort, Class<?>... more) {
        List<Class<?>> configurations = new ArrayList<>(List.of(DataRedisAutoConfiguration.class,
                JacksonAutoConfiguration.class, DistributorRedisAutoConfiguration.class,
                DistributorBackendAutoConfiguration.class, DistributorWorkerAutoConfiguration.class,
                DistributorWorkerEventLoopsAutoConfiguration.class));
        configurations.addAll(List.of(more));
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(configurations.toArray(Class<?>[]::new)))
                .withPropertyValues("spring.data.redis.host=" + TestRedis.HOST, "spring.data.redis.port=" + redisPort,
                        "distributor.worker.port=0", "distributor.worker.host=127.0.0.1",
                        "distributor.backend.handler-threads=2",
                        "distributor.redis.prefix=test-" + UUID.randomUUID().toString().substring(0, 8));
    }
}
