package io.github.siodistributor.samples.chat;

import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Tells the page which port the worker listens on (the page itself is served on server.port). */
@RestController
class PageConfigController {

    private final int workerPort;

    PageConfigController(@Value("${distributor.worker.port:9092}") int workerPort) {
        this.workerPort = workerPort;
    }

    @GetMapping("/config.json")
    Map<String, Object> config() {
        return Map.of("workerPort", workerPort);
    }
}
