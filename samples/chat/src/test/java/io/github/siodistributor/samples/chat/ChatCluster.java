package io.github.siodistributor.samples.chat;

import io.github.siodistributor.core.gateway.DistributorGateway;
import io.github.siodistributor.core.worker.DistributorWorker;
import io.github.siodistributor.testsupport.FreePorts;
import io.github.siodistributor.testsupport.TestRedis;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Workers and backends of the chat sample as separate Spring application contexts on one real
 * Redis: the same separation as separate processes, minus the process start-up time.
 */
final class ChatCluster implements AutoCloseable {

    private final TestRedis redis = TestRedis.startNew();
    private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();
    private final String prefix;

    ChatCluster() {
        this("sio");
    }

    /** @param prefix the channel prefix every context of this cluster uses */
    ChatCluster(String prefix) {
        this.prefix = prefix;
    }

    /** A worker-only context listening on a free port. */
    ConfigurableApplicationContext worker(String workerId, Class<?>... extraSources) {
        return start(extraSources, "distributor.backend.enabled=false", "distributor.worker.id=" + workerId,
                "distributor.worker.port=" + FreePorts.find());
    }

    /** A worker-only context with extra properties, each {@code "name=value"}. */
    ConfigurableApplicationContext worker(String workerId, List<String> properties, Class<?>... extraSources) {
        List<String> all = new ArrayList<>(List.of("distributor.backend.enabled=false",
                "distributor.worker.id=" + workerId, "distributor.worker.port=" + FreePorts.find()));
        all.addAll(properties);
        return start(extraSources, all.toArray(String[]::new));
    }

    /** A backend-only context. */
    ConfigurableApplicationContext backend(Class<?>... extraSources) {
        return start(extraSources, "distributor.worker.enabled=false");
    }

    /** A backend-only context with extra properties, each {@code "name=value"}. */
    ConfigurableApplicationContext backend(List<String> properties, Class<?>... extraSources) {
        List<String> all = new ArrayList<>(properties);
        all.add(0, "distributor.worker.enabled=false");
        return start(extraSources, all.toArray(String[]::new));
    }

    /** A gateway-only context (neither worker nor backend) on a free port of 127.0.0.1, with extra properties. */
    ConfigurableApplicationContext gateway(String... properties) {
        List<String> all = new ArrayList<>(List.of("distributor.worker.enabled=false", "distributor.backend.enabled=false",
                "distributor.gateway.enabled=true", "distributor.gateway.host=127.0.0.1",
                "distributor.gateway.port=" + FreePorts.find()));
        all.addAll(List.of(properties));
        return start(new Class<?>[0], all.toArray(String[]::new));
    }

    static String gatewayUrl(ConfigurableApplicationContext gateway) {
        return "http://127.0.0.1:" + gateway.getBean(DistributorGateway.class).port();
    }

    static String url(ConfigurableApplicationContext worker) {
        return "http://127.0.0.1:" + worker.getBean(DistributorWorker.class).port();
    }

    TestRedis redis() {
        return redis;
    }

    private ConfigurableApplicationContext start(Class<?>[] extraSources, String... roleProperties) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("distributor.redis.embedded.enabled", "false");
        properties.put("spring.data.redis.host", redis.host());
        properties.put("spring.data.redis.port", redis.port());
        properties.put("distributor.redis.prefix", prefix);
        for (String property : roleProperties) {
            int eq = property.indexOf('=');
            properties.put(property.substring(0, eq), property.substring(eq + 1));
        }
        Class<?>[] sources = new Class<?>[extraSources.length + 1];
        sources[0] = ChatApplication.class;
        System.arraycopy(extraSources, 0, sources, 1, extraSources.length);
        // as command-line arguments: they must win over the sample's application.yml
        String[] args = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(sources)
                .web(WebApplicationType.NONE).run(args);
        contexts.add(context);
        return context;
    }

    @Override
    public void close() {
        for (int i = contexts.size() - 1; i >= 0; i--) {
            contexts.get(i).close();
        }
        redis.close();
    }
}
