package io.github.siodistributor.autoconfigure.failure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a worker that has no namespace to serve. */
class NoNamespaceToServeFailureAnalyzer extends AbstractFailureAnalyzer<NoNamespaceToServeException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, NoNamespaceToServeException cause) {
        return new FailureAnalysis(cause.getMessage() + ", so every client would be refused. NamespaceHandler "
                + "beans without @SocketNamespace are not inspected for this.",
                "Declare a @SocketNamespace(\"/your-namespace\") bean (is its package component-scanned? are the "
                        + "profiles of its @Profile active?), or list "
                        + "the namespaces the backends serve in distributor.worker.namespaces, or turn this "
                        + "application's worker off with distributor.worker.enabled=false.",
                cause);
    }
}
