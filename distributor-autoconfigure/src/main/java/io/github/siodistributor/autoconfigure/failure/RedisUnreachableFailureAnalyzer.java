package io.github.siodistributor.autoconfigure.failure;

import java.util.Locale;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a Redis that cannot be reached at start-up: where the distributor looked, and how to point it elsewhere. */
class RedisUnreachableFailureAnalyzer extends AbstractFailureAnalyzer<RedisUnreachableException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, RedisUnreachableException cause) {
        if (refusedCredentials(cause)) {
            return new FailureAnalysis("Redis at " + cause.target() + " answers, but refused the distributor's "
                    + "credentials: " + Causes.rootMessage(cause),
                    "Redis at " + cause.target() + " refused the credentials: set spring.data.redis.username and "
                            + "spring.data.redis.password (or the user and password of spring.data.redis.url) to a "
                            + "user Redis knows, allowed to PUBLISH, SUBSCRIBE and set keys under the distributor's "
                            + "prefix, or configure the RedisConnectionFactory bean annotated "
                            + "@DistributorRedisConnectionFactory with them.",
                    cause);
        }
        return new FailureAnalysis(cause.getMessage() + ". Both the worker and the backend need Redis before they "
                + "can take clients or events.",
                "Start Redis at " + cause.target() + ", or point the distributor at a reachable one: "
                        + "spring.data.redis.host and spring.data.redis.port (or spring.data.redis.url, "
                        + "spring.data.redis.sentinel.*, spring.data.redis.cluster.*), or a RedisConnectionFactory "
                        + "bean annotated @DistributorRedisConnectionFactory. For a demo without Redis, set "
                        + "distributor.redis.embedded.enabled=true.",
                cause);
    }

    /** Redis's answers to a missing or wrong password, or to a user without the rights (ACL). */
    private static boolean refusedCredentials(RedisUnreachableException cause) {
        String root = Causes.rootMessage(cause).toUpperCase(Locale.ROOT);
        return root.startsWith("NOAUTH") || root.startsWith("WRONGPASS") || root.startsWith("NOPERM");
    }
}
