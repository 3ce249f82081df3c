package io.github.siodistributor.core.transport;

import io.github.siodistributor.testsupport.TestRedis;
import java.time.Duration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** Connection factories to a test's own Redis, as a process of the distributor would hold one. */
public final class TestConnectionFactories {

    private TestConnectionFactories() {
    }

    /** A started factory for {@code redis}; the caller destroys it. */
    public static LettuceConnectionFactory startedFor(TestRedis redis) {
        return startedFor(redis, LettuceClientConfiguration.defaultConfiguration());
    }

    /** A started factory for a Redis reached at {@code port} of {@link TestRedis#HOST} (through a proxy). */
    public static LettuceConnectionFactory startedFor(int port) {
        return startedFor(new RedisStandaloneConfiguration(TestRedis.HOST, port),
                LettuceClientConfiguration.defaultConfiguration());
    }

    /** A started factory for {@code redis} whose commands wait for Redis at most {@code commandTimeout}. */
    public static LettuceConnectionFactory startedFor(TestRedis redis, Duration commandTimeout) {
        return startedFor(redis, LettuceClientConfiguration.builder().commandTimeout(commandTimeout).build());
    }

    private static LettuceConnectionFactory startedFor(TestRedis redis, LettuceClientConfiguration client) {
        return startedFor(new RedisStandaloneConfiguration(redis.host(), redis.port()), client);
    }

    private static LettuceConnectionFactory startedFor(RedisStandaloneConfiguration redis,
            LettuceClientConfiguration client) {
        LettuceConnectionFactory factory = new LettuceConnectionFactory(redis, client);
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }
}
