package io.github.siodistributor.samples.chat;

import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.annotation.OnConnect;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.springframework.stereotype.Component;

/**
 * A connect handler that sends a connecting socket more than a worker holds for it until the connect is decided:
 * {@value #HELD} plain emits (the worker's limit), then one emit with ack.
 */
@Component
@SocketNamespace("/flood")
public class FloodingConnectHandler {

    /** The worker's limit of commands held for a connecting socket. */
    static final int HELD = 1024;

    /** How the emit with ack over the limit ended: its failure, or {@code null} when the client answered. */
    final CompletableFuture<Throwable> overTheLimit = new CompletableFuture<>();

    @OnConnect
    public void connected(IndirectSocket socket) {
        for (int n = 0; n < HELD; n++) {
            socket.emit("filler", n);
        }
        socket.timeout(Duration.ofSeconds(60)).emitWithAck("question")
                .whenComplete((answer, failure) -> overTheLimit.complete(failure));
    }
}
