package io.github.siodistributor.test;

import java.util.Map;

/**
 * What {@link DistributorTest} sets: the properties that make the application's context a self-contained
 * distributor on loopback and free ports. They sit just below the test's own properties (inlined, property files,
 * dynamic), so a test can still set any of them, and above system properties, environment variables and the
 * application's configuration files. Each context also gets a channel prefix of its own
 * ({@code distributor.redis.prefix=test-<random>}), so that contexts sharing one Redis stay apart.
 */
final class DistributorTestProperties {

    /** The name of the property source, visible in the environment for diagnosis. */
    static final String SOURCE_NAME = "distributorTest";

    static final Map<String, Object> VALUES = Map.of(
            "distributor.redis.embedded.enabled", "true",
            "distributor.redis.embedded.port", "0",
            "distributor.worker.enabled", "true",
            "distributor.worker.host", "127.0.0.1",
            "distributor.worker.port", "0",
            "distributor.backend.enabled", "true",
            // a gateway the application runs in production would take its fixed port in every test context
            "distributor.gateway.enabled", "false");

    private DistributorTestProperties() {
    }
}
