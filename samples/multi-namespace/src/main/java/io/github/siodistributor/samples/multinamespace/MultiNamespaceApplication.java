package io.github.siodistributor.samples.multinamespace;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * One jar, one role per process, chosen by profile: {@code chat}, {@code gameA} or {@code gameB} runs the
 * backend of that namespace only; {@code worker} runs a worker serving all three. {@code run.sh} starts
 * the whole set on one Redis.
 */
@SpringBootApplication
public class MultiNamespaceApplication {

    public static void main(String[] args) {
        SpringApplication.run(MultiNamespaceApplication.class, args);
    }
}
