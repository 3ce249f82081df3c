package io.github.siodistributor.test;

import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.test.context.support.TestPropertySourceUtils;

/**
 * Adds {@link DistributorTestProperties} to the environment, just below the test's own properties, and the
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
        MapPropertySource ours = new MapPropertySource(DistributorTestProperties.SOURCE_NAME,
                DistributorTestProperties.VALUES);
        String testProperties = TestPropertySourceUtils.INLINED_PROPERTIES_PROPERTY_SOURCE_NAME;
        if (sources.contains(testProperties)) {
            sources.addAfter(testProperties, ours);
        } else {
            sources.addFirst(ours);
        }
    }
}
