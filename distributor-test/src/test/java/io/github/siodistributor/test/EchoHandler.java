package io.github.siodistributor.test;

import io.github.siodistributor.backend.ConnectionRejectedException;
import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.SocketArgs;
import io.github.siodistributor.backend.annotation.OnConnect;
import io.github.siodistributor.backend.annotation.OnDisconnect;
import io.github.siodistributor.backend.annotation.OnEvent;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import io.github.siodistributor.core.protocol.Handshake;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import org.springframework.stereotype.Component;

/** {@code /echo}: answers, greets, asks the client a question, refuses "mallory", and notes disconnects. */
@Component
@SocketNamespace("/echo")
public class EchoHandler {

    public record Note(String text, byte[] attachment) {
    }

    /** What clients send as their {@code auth}. */
    public record Credentials(String name) {
    }

    /** Ids of the sockets that disconnected, in order. */
    final BlockingQueue<String> disconnected = new LinkedBlockingQueue<>();

    @OnConnect
    public void connected(IndirectSocket socket) {
        if ("mallory".equals(socket.auth(Credentials.class).name())) {
            throw new ConnectionRejectedException("not you", Map.of("who", "mallory"));
        }
    }

    /** What the handshake carried besides the auth: a query parameter and a header the test chose. */
    @OnEvent("handshake")
    public Map<String, String> handshake(Handshake handshake) {
        return Map.of("room", String.valueOf(handshake.queryParameter("room")), "tenant",
                String.valueOf(handshake.header("X-Tenant")));
    }

    @OnEvent("whoami")
    public String whoami(IndirectSocket socket) {
        return socket.auth(Credentials.class).name();
    }

    @OnEvent("echo")
    public SocketArgs echo(SocketArgs args) {
        return args;
    }

    @OnEvent("note")
    public Note note(Note note) {
        return new Note(note.text().toUpperCase(), note.attachment());
    }

    @OnEvent("greet")
    public void greet(IndirectSocket socket, String name) {
        socket.emit("greeting", "hello " + name);
    }

    /** Asks the client and tells it what it answered. */
    @OnEvent("quiz")
    public void quiz(IndirectSocket socket) {
        socket.timeout(Duration.ofSeconds(10)).emitWithAck("question", "6 x 7?")
                .thenAccept(answer -> socket.emit("answered", answer.get(0, Integer.class)));
    }

    /** Asks the client, and answers with what it said. */
    @OnEvent("ask-back")
    public CompletionStage<Integer> askBack(IndirectSocket socket) {
        return socket.timeout(Duration.ofSeconds(10)).emitWithAck("question", "6 x 7?")
                .thenApply(answer -> answer.get(0, Integer.class));
    }

    @OnDisconnect
    public void left(IndirectSocket socket) {
        disconnected.add(socket.id());
    }
}
