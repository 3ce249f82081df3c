package io.github.siodistributor.samples.reference;

import io.github.siodistributor.core.worker.DistributorWorker;
import io.github.siodistributor.testsupport.TestRedis;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** The protocol-reference application (worker and backend) on a Redis of its own, for one test class. */
final class ReferenceServer implements AutoCloseable {

    private final TestRedis redis;
    private final ConfigurableApplicationContext app;

    private ReferenceServer(TestRedis redis, ConfigurableApplicationContext app) {
        this.redis = redis;
        this.app = app;
    }

    /** Starts a Redis and the application on it, with {@code arguments} (its port, its timeouts) besides. */
    static ReferenceServer start(String... arguments) {
        TestRedis redis = TestRedis.startNew();
        List<String> all = new ArrayList<>(List.of("--distributor.redis.embedded.enabled=false",
                "--spring.data.redis.host=" + redis.host(), "--spring.data.redis.port=" + redis.port()));
        all.addAll(List.of(arguments));
        try {
            return new ReferenceServer(redis, new SpringApplicationBuilder(ProtocolReferenceApplication.class)
                    .run(all.toArray(String[]::new)));
        } catch (RuntimeException e) {
            redis.close();
            throw e;
        }
    }

    ConfigurableApplicationContext app() {
        return app;
    }

    /** The port the worker listens on. */
    int port() {
        return app.getBean(DistributorWorker.class).port();
    }

    @Override
    public void close() {
        try {
            app.close();
        } finally {
            redis.close();
        }
    }
}
