package io.github.siodistributor.autoconfigure;

import java.util.stream.Collectors;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisNode;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Which Redis the distributor talks to, in words for the start-up log, the {@code info} endpoint and start-up
 * errors: {@code localhost:6379}, {@code embedded 127.0.0.1:6380}, {@code sentinel master mymaster via a:26379},
 * {@code cluster a:7000, b:7001}. Read from the connection factory's configuration; never connects.
 */
public record RedisTarget(String description) {

    /** @param embedded whether the embedded Redis runs (it is then what Spring Boot's connection points at) */
    static RedisTarget of(RedisConnectionFactory factory, boolean embedded) {
        if (!(factory instanceof LettuceConnectionFactory lettuce)) {
            return new RedisTarget(factory.getClass().getSimpleName());
        }
        if (lettuce.isRedisSentinelAware()) {
            var sentinel = lettuce.getSentinelConfiguration();
            String master = sentinel.getMaster() == null ? "?" : sentinel.getMaster().getName();
            return new RedisTarget("sentinel master " + master + " via " + nodes(sentinel.getSentinels()));
        }
        if (lettuce.isClusterAware()) {
            return new RedisTarget("cluster " + nodes(lettuce.getClusterConfiguration().getClusterNodes()));
        }
        String address = lettuce.getHostName() + ":" + lettuce.getPort();
        return new RedisTarget(embedded ? "embedded " + address : address);
    }

    private static String nodes(Iterable<RedisNode> nodes) {
        return java.util.stream.StreamSupport.stream(nodes.spliterator(), false)
                .map(node -> node.getHost() + ":" + node.getPort()).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return description;
    }
}
