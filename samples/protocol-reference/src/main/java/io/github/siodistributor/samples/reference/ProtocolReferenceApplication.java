package io.github.siodistributor.samples.reference;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A worker and a backend on an embedded Redis, configured like the reference server of the official
 * Socket.IO protocol test suite ({@code socketio/socket.io-protocol}, {@code test-suite/}): port 3000,
 * pingInterval 300 ms, pingTimeout 200 ms, maxPayload 1,000,000, connectTimeout 1 s, CORS "*".
 */
@SpringBootApplication
public class ProtocolReferenceApplication {

    public static void main(String[] args) {
        SpringApplication.run(ProtocolReferenceApplication.class, args);
    }
}
