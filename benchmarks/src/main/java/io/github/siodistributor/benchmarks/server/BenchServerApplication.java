package io.github.siodistributor.benchmarks.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The server under test: started twice by {@code benchmarks/run.sh}, once as a worker
 * ({@code --distributor.backend.enabled=false}) and once as a backend ({@code --distributor.worker.enabled=false}),
 * both on the benchmark's Redis, so that every event takes the two Redis hops of a real deployment.
 */
@SpringBootApplication
public class BenchServerApplication {

    public static void main(String[] args) {
        run(args);
    }

    /** Starts a worker, a backend or both (the default), without a web server. */
    public static ConfigurableApplicationContext run(String... args) {
        SpringApplication application = new SpringApplication(BenchServerApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        return application.run(args);
    }
}
