package io.github.siodistributor.autoconfigure.failure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains two handler beans for one namespace: which beans, and which events both would handle. */
class DuplicateNamespaceHandlerFailureAnalyzer extends AbstractFailureAnalyzer<DuplicateNamespaceHandlerException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, DuplicateNamespaceHandlerException cause) {
        String events = cause.sharedEvents().isEmpty() ? ""
                : " Events " + cause.sharedEvents() + " would have two handlers.";
        return new FailureAnalysis("Namespace " + cause.namespace() + " is claimed by more than one handler bean: "
                + String.join(", ", cause.beanNames()) + "." + events
                + " A namespace has exactly one handler bean, which receives all its connects, events and "
                + "disconnects.",
                "Keep one handler bean for " + cause.namespace() + " (a @SocketNamespace(\"" + cause.namespace()
                        + "\") bean or a NamespaceHandler bean): merge what " + String.join(" and ", cause.beanNames())
                        + " handle into it, or give one of them another namespace. Inject IndirectServer elsewhere "
                        + "to emit to the namespace from other beans.",
                cause);
    }
}
