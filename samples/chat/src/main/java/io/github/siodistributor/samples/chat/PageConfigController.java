package io.github.siodistributor.samples.chat;

import io.github.siodistributor.core.worker.DistributorWorker;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Tells the page which port the worker listens on (the page itself is served on server.port): the worker's
 * own when it runs in this application (so {@code distributor.worker.port=0} works), else the configured one.
 */
@RestController
class PageConfigController {

    private final ObjectProvider<DistributorWorker> worker;
    private final int configuredWorkerPort;

    PageConfigController(ObjectProvider<DistributorWorker> worker,
            @Value("${distributor.worker.port:9092}") int configuredWorkerPort) {
        this.worker = worker;
        this.configuredWorkerPort = configuredWorkerPort;
    }

    @GetMapping("/config.json")
    Map<String, Object> config() {
        DistributorWorker local = worker.getIfAvailable();
        return Map.of("workerPort", local != null ? local.port() : configuredWorkerPort);
    }
}
