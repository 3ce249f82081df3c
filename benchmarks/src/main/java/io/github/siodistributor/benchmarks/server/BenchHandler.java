package io.github.siodistributor.benchmarks.server;

import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.SocketArgs;
import io.github.siodistributor.backend.annotation.OnEvent;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import org.springframework.stereotype.Component;

/**
 * The benchmark's {@code /chat} namespace; the Node peer ({@code src/main/node/peer-server.js}) answers the same
 * events the same way.
 */
@Component
@SocketNamespace("/chat")
public class BenchHandler {

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
