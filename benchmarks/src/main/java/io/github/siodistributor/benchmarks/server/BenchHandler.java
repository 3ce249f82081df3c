package io.github.siodistributor.benchmarks.server;

import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.SocketArgs;
import io.github.siodistributor.backend.annotation.OnEvent;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.stereotype.Component;

/**
 * The benchmark's {@code /chat} namespace; the Node peer ({@code src/main/node/peer-server.js}) answers the same
 * events the same way. None of its handlers blocks, so it is declared non-blocking, as an application would declare
 * it ({@link NonBlocking}): its calls run on the Redis delivery thread, as the Node peer's run on its loop. With
 * {@code --bench.handler-pool=true} (in {@code BACKEND_ARGS}) they run on the handler pool instead ({@link Pooled}),
 * where handlers that block must run.
 */
public abstract class BenchHandler {

    @Component
    @SocketNamespace(value = "/chat", nonBlocking = true)
    @ConditionalOnBooleanProperty(name = "bench.handler-pool", havingValue = false, matchIfMissing = true)
    static class NonBlocking extends BenchHandler {
    }

    @Component
    @SocketNamespace("/chat")
    @ConditionalOnBooleanProperty("bench.handler-pool")
    static class Pooled extends BenchHandler {
    }

    /** What the room receives for each {@code say}. */
    public record Said(String room, String text) {
    }

    /** What a client asks the room to receive. */
    public record Say(String room, String text) {
    }

    /** The round trip: the arguments come back as the ack, untouched (the worker never decodes them). */
    @OnEvent("echo")
    public SocketArgs echo(SocketArgs args) {
        return args;
    }

    @OnEvent("join")
    public String join(IndirectSocket socket, String room) {
        socket.join(room);
        return room;
    }

    /** One broadcast to a room per call: one Redis publish, fanned out by each worker to its members. */
    @OnEvent("say")
    public boolean say(IndirectSocket socket, Say say) {
        socket.namespace().to(say.room()).emit("said", new Said(say.room(), say.text()));
        return true;
    }

    /** A per-socket emit from the backend (no ack): the Redis deliveries scenario counts what it costs. */
    @OnEvent("poke")
    public void poke(IndirectSocket socket, String text) {
        socket.emit("poked", text);
    }
}
