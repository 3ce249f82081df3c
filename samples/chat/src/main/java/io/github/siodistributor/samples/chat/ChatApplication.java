package io.github.siodistributor.samples.chat;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The chat sample: by default a worker, the chat backend and an embedded Redis in one JVM, and a
 * page at http://localhost:8080. Switch roles with {@code --distributor.worker.enabled=false} or
 * {@code --distributor.backend.enabled=false}, and use a real Redis with
 * {@code --distributor.redis.embedded.enabled=false --spring.data.redis.host=...}.
 */
@SpringBootApplication
public class ChatApplication {

    public static void main(String[] args) {
        SpringApplication.run(ChatApplication.class, args);
    }
}
