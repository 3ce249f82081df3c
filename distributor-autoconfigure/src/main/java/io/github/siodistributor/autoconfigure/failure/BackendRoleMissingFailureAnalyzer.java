package io.github.siodistributor.autoconfigure.failure;

import io.github.siodistributor.backend.IndirectServer;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.UnsatisfiedDependencyException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Explains a bean that needs the indirect server in a process without the backend role: a worker-only process of an
 * application whose jar runs both roles (the README's split), where Spring Boot's own analysis would only suggest
 * defining an {@code IndirectServer} bean.
 */
class BackendRoleMissingFailureAnalyzer extends AbstractFailureAnalyzer<NoSuchBeanDefinitionException>
        implements Ordered {

    private final Environment environment;

    BackendRoleMissingFailureAnalyzer(Environment environment) {
        this.environment = environment;
    }

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, NoSuchBeanDefinitionException cause) {
        Class<?> wanted = cause.getBeanType();
        if (wanted == null || !wanted.isAssignableFrom(IndirectServer.class)
                || wanted.getPackageName().startsWith("java.") || environment == null
                || environment.getProperty("distributor.backend.enabled", Boolean.class, true)) {
            // missing for another reason (a test slice, an excluded auto-configuration): Spring Boot's analysis
            return null;
        }
        UnsatisfiedDependencyException dependency = findCause(rootFailure, UnsatisfiedDependencyException.class);
        String who = dependency == null || dependency.getBeanName() == null ? "A bean"
                : "Bean '" + dependency.getBeanName() + "'";
        String type = wanted.getSimpleName();
        return new FailureAnalysis(who + " needs the distributor's " + type + ", which only a process that runs the "
                + "backend role has: this one does not (distributor.backend.enabled=false, a worker-only process).",
                "If this process should run the namespace handlers, remove distributor.backend.enabled=false. "
                        + "Otherwise keep the beans that use " + type + " out of it: annotate them with "
                        + "@ConditionalOnBooleanProperty(name = \"distributor.backend.enabled\", matchIfMissing = true)"
                        + " or a @Profile of the backend's, or inject ObjectProvider<" + type + "> into a bean that "
                        + "runs in both roles.",
                cause);
    }

    /** Before Spring Boot's own analysis of a missing bean, which would suggest defining one. */
    @Override
    public int getOrder() {
        return 0;
    }
}
