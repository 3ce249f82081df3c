package io.github.siodistributor.autoconfigure.failure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a worker port that is taken, as Spring Boot does for its web server's port. */
class WorkerPortInUseFailureAnalyzer extends AbstractFailureAnalyzer<WorkerPortInUseException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, WorkerPortInUseException cause) {
        return new FailureAnalysis("The distributor worker could not listen on " + cause.host() + ":" + cause.port()
                + " for Socket.IO clients: the port is already in use (by another application, another worker, "
                + "or this application's web server).",
                "Stop the process that listens on port " + cause.port() + ", or give the worker another port with "
                        + "distributor.worker.port (0 picks a free one), or another address with "
                        + "distributor.worker.host.",
                cause);
    }
}
