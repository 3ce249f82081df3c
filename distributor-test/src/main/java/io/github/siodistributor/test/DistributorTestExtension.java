package io.github.siodistributor.test;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.junit.jupiter.SpringExtension;

/**
 * The JUnit side of {@link DistributorTest}:
 * <ul>
 * <li>after each test, disconnects the sockets the {@link DistributorTestClient} opened, so the next test of a
 * cached context starts with no client connected;</li>
 * <li>when all tests have run, closes the contexts it saw while their embedded Redis still runs (restarting
 * those Spring's context cache paused, whose Redis connection factory it stopped). Left to the JVM's shutdown, the embedded Redis (which stops in a shutdown hook of its own) may be gone before the
 * context's shutdown hook hands the backend's sockets over, which then waits for Redis command timeouts.</li>
 * </ul>
 */
class DistributorTestExtension implements BeforeAllCallback, AfterEachCallback {

    private static final Namespace NAMESPACE = Namespace.create(DistributorTestExtension.class);

    @Override
    public void beforeAll(ExtensionContext extension) {
        ApplicationContext context = SpringExtension.getApplicationContext(extension);
        if (context instanceof ConfigurableApplicationContext configurable) {
            // the root store closes its resources once the whole test run is over
            extension.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(configurable,
                    ContextCloser::new, ContextCloser.class);
        }
    }

    @Override
    public void afterEach(ExtensionContext extension) {
        SpringExtension.getApplicationContext(extension).getBeanProvider(DistributorTestClient.class)
                .ifAvailable(DistributorTestClient::disconnectAll);
    }

    private record ContextCloser(ConfigurableApplicationContext context) implements AutoCloseable {

        @Override
        public void close() {
            try {
                if (context.isActive() && !context.isRunning()) {
                    // paused by Spring's context cache, with Redis's connection factory stopped: started again first,
                    // so that the distributor's stop can still release its lease and leave the registry
                    context.restart();
                }
            } finally {
                context.close();
            }
        }
    }
}
