package io.github.siodistributor.samples.chat;

import io.github.siodistributor.core.gateway.DistributorGateway;
import io.github.siodistributor.core.worker.DistributorWorker;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Tells the page which port its Socket.IO connection goes to (the page itself is served on server.port): the
 * gateway's when this application runs one (a page served by the gateway's process connects through it), else the
 * worker's own when it runs here (so {@code distributor.worker.port=0} works), else the configured worker port.
 */
@RestController
class PageConfigController {

    private final ObjectProvider<DistributorGateway> gateway;
    private final ObjectProvider<DistributorWorker> worker;
    private final int configuredWorkerPort;

    PageConfigController(ObjectProvider<DistributorGateway> gateway, ObjectProvider<DistributorWorker> worker,
            @Value("${distributor.worker.port:9092}") int configuredWorkerPort) {
        this.gateway = gateway;
        this.worker = worker;
        this.configuredWorkerPort = configuredWorkerPort;
    }

    @GetMapping("/config.json")
    Map<String, Object> config() {
        DistributorGateway localGateway = gateway.getIfAvailable();
        if (localGateway != null && localGateway.port() > 0) {
            return Map.of("socketIoPort", localGateway.port());
        }
        DistributorWorker localWorker = worker.getIfAvailable();
        return Map.of("socketIoPort", localWorker != null ? localWorker.port() : configuredWorkerPort);
    }
}
