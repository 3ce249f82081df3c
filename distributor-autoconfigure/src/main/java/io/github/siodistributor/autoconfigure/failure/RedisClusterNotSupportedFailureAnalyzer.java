package io.github.siodistributor.autoconfigure.failure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a Redis Cluster given to the distributor: why it is refused, and how to give it a Redis it supports. */
class RedisClusterNotSupportedFailureAnalyzer extends AbstractFailureAnalyzer<RedisClusterNotSupportedException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, RedisClusterNotSupportedException cause) {
        return new FailureAnalysis(cause.getMessage() + ". It counts who received each message with PUBLISH's answer, "
                + "which on a cluster counts one node's subscribers only: workers would send events again and again, "
                + "and requests such as fetchSockets would find no one.",
                "Give the distributor a standalone Redis, or one behind Sentinel: unset spring.data.redis.cluster.* "
                        + "and set spring.data.redis.host and spring.data.redis.port (or "
                        + "spring.data.redis.sentinel.*), or keep the cluster for the rest of the application and "
                        + "define a RedisConnectionFactory bean annotated @DistributorRedisConnectionFactory for the "
                        + "distributor alone.",
                cause);
    }
}
