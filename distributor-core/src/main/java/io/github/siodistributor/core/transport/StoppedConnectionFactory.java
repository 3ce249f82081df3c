package io.github.siodistributor.core.transport;

import org.springframework.context.Lifecycle;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Whether a connection factory was stopped under the distributor, which keeps running: Spring's test context cache
 * pauses the contexts it keeps between test classes, and a pause stops Spring Data Redis's factories (not the
 * distributor) until the context is restarted. The periodic Redis calls fail meanwhile, which is expected, and
 * not worth a warning each time.
 */
public final class StoppedConnectionFactory {

    private StoppedConnectionFactory() {
    }

    public static boolean isStopped(RedisConnectionFactory factory) {
        return factory instanceof Lifecycle lifecycle && !lifecycle.isRunning();
    }
}
