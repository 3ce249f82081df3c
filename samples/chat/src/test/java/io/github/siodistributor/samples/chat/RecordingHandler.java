package io.github.siodistributor.samples.chat;

import io.github.siodistributor.backend.ConnectionRejectedException;
import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.annotation.OnConnect;
import io.github.siodistributor.backend.annotation.OnDisconnect;
import io.github.siodistributor.backend.annotation.OnEvent;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import io.github.siodistributor.core.protocol.Handshake;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;

/** Records what the backend sees of its sockets, for tests to inspect. */
@SocketNamespace("/recorded")
public class RecordingHandler {

    record Disconnect(String socketId, String reason) {
    }

    final Map<String, Handshake> handshakes = new ConcurrentHashMap<>();
    final BlockingQueue<Disconnect> disconnects = new LinkedBlockingQueue<>();

    /** Auth {"refuse": true} is turned away with data, {"crash": true} fails; everyone else is greeted. */
    @OnConnect
    public void connected(IndirectSocket socket, Handshake handshake) {
        String auth = new String(handshake.auth(), java.nio.charset.StandardCharsets.UTF_8);
        if (auth.contains("\"refuse\":true")) {
            throw new ConnectionRejectedException("not welcome here", Map.of("retryAfter", 30));
        }
        if (auth.contains("\"crash\":true")) {
            throw new IllegalStateException("connect handler bug");
        }
        handshakes.put(socket.id(), handshake);
        socket.join("greeted");
        socket.emit("welcome", socket.id());
    }

    @OnEvent("join")
    public String join(IndirectSocket socket, String room) {
        socket.join(room);
        return room;
    }

    /** Everyone in the namespace but the sender hears it. */
    @OnEvent("shout")
    public boolean shout(IndirectSocket socket, String text) {
        socket.broadcast().emit("shouted", text);
        return true;
    }

    /** A file with binary content: bound from and written to Socket.IO binary attachments. */
    public record Upload(String name, byte[] content) {
    }

    /** Appends {@code extra} to the upload's content and returns it renamed. */
    @OnEvent("store")
    public Upload store(Upload upload, byte[] extra) {
        byte[] joined = java.util.Arrays.copyOf(upload.content(), upload.content().length + extra.length);
        System.arraycopy(extra, 0, joined, upload.content().length, extra.length);
        return new Upload(upload.name() + "!", joined);
    }

    @OnDisconnect
    public void disconnected(IndirectSocket socket, String reason) {
        disconnects.add(new Disconnect(socket.id(), reason));
    }
}
