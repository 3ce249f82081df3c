package io.github.siodistributor.test;

import java.util.List;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.TestContextAnnotationUtils;

/** Gives test classes annotated {@link DistributorTest} (also through a superclass or an enclosing class) a {@link DistributorTestContextCustomizer}. */
class DistributorTestContextCustomizerFactory implements ContextCustomizerFactory {

    @Override
    public ContextCustomizer createContextCustomizer(Class<?> testClass,
            List<ContextConfigurationAttributes> configAttributes) {
        return TestContextAnnotationUtils.hasAnnotation(testClass, DistributorTest.class)
                ? new DistributorTestContextCustomizer() : null;
    }
}
