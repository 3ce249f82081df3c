package io.github.siodistributor.autoconfigure.failure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a Redis that cannot be reached at start-up: where the distributor looked, and how to point it elsewhere. */
class RedisUnreachableFailureAnalyzer extends AbstractFailureAnalyzer<RedisUnreachableException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, RedisUnreachableException cause) {
        return new FailureAnalysis(cause.getMessage() + ". Both the worker and the backend need Redis before they "
                + "can take clients or events.",
                "Start Redis at " + cause.target() + ", or point the distributor at a reachable one: "
                        + "spring.data.redis.host and spring.data.redis.port (or spring.data.redis.url, "
                        + "spring.data.redis.sentinel.*, spring.data.redis.cluster.*), or a RedisConnectionFactory "
                        + "bean annotated @DistributorRedisConnectionFactory. For a demo without Redis, set "
                        + "distributor.redis.embedded.enabled=true.",
                cause);
    }
}
