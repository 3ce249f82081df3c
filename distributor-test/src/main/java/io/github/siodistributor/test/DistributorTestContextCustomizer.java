package io.github.siodistributor.test;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * Adds {@link DistributorTestProperties} to the environment, just below the test's own properties (inlined, files),
 * and the
 * {@link DistributorTestClient} bean. A record: every {@code @DistributorTest} class gets an equal
 * customizer, so their contexts are cached and shared like any {@code @SpringBootTest}'s.
 */
record DistributorTestContextCustomizer() implements ContextCustomizer {

    static final String CLIENT_BEAN_NAME = "distributorTestClient";

    @Override
    public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
        addProperties(context.getEnvironment());
        if (!(context instanceof BeanDefinitionRegistry registry)) {
            throw new IllegalStateException("@DistributorTest needs an application context that takes bean "
                    + "definitions; got " + context.getClass().getName());
        }
        registry.registerBeanDefinition(CLIENT_BEAN_NAME, new RootBeanDefinition(DistributorTestClient.class));
    }

    private static void addProperties(ConfigurableEnvironment environment) {
        MutablePropertySources sources = environment.getPropertySources();
        Map<String, Object> values = new HashMap<>(DistributorTestProperties.VALUES);
        // a prefix of each context's own: contexts that share a Redis (the application's, a Testcontainers one)
        // must not see each other's backends, workers and broadcasts
        values.put("distributor.redis.prefix", "test-" + UUID.randomUUID().toString().substring(0, 8));
        MapPropertySource ours = new MapPropertySource(DistributorTestProperties.SOURCE_NAME, values);
        // below every source of the test's own (inlined properties, property files, dynamic properties), which
        // sit above the system properties, and above the application's configuration files, which come last
        String systemProperties = StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME;
        if (sources.contains(systemProperties)) {
            sources.addBefore(systemProperties, ours);
        } else {
            sources.addLast(ours);
        }
    }
}
