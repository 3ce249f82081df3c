package io.github.siodistributor.core.transport;

import io.github.siodistributor.testsupport.TestRedis;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** Connection factories to a test's own Redis, as a process of the distributor would hold one. */
public final class TestConnectionFactories {

    private TestConnectionFactories() {
    }

    /** A started factory for {@code redis}; the caller destroys it. */
    public static LettuceConnectionFactory startedFor(TestRedis redis) {
        LettuceConnectionFactory factory = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration(redis.host(), redis.port()));
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }
}
