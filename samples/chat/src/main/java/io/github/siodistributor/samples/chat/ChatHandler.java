package io.github.siodistributor.samples.chat;

import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.RemoteSocket;
import io.github.siodistributor.backend.SocketArgs;
import io.github.siodistributor.backend.annotation.OnEvent;
import io.github.siodistributor.backend.annotation.OnRecover;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import io.github.siodistributor.core.protocol.Handshake;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The {@code /chat} namespace: rooms, messages to a room, and a few acks to play with. */
@Component
@SocketNamespace("/chat")
public class ChatHandler {

    /** What a client says to a room. */
    public record Say(String room, String text) {
    }

    /** What everyone in the room receives. */
    public record Said(String room, String name, String text) {
    }

    private final JsonMapper json;

    public ChatHandler(JsonMapper json) {
        this.json = json;
    }

    @OnEvent("join")
    public String join(IndirectSocket socket, String room) {
        socket.join(room);
        return room;
    }

    @OnEvent("leave")
    public String leave(IndirectSocket socket, String room) {
        socket.leave(room);
        return room;
    }

    @OnEvent("say")
    public boolean say(IndirectSocket socket, Say say) {
        socket.namespace().to(say.room()).emit("said", new Said(say.room(), nameOf(socket), say.text()));
        return true;
    }

    @OnEvent("echo")
    public SocketArgs echo(SocketArgs args) {
        return args;
    }

    @OnEvent("whoami")
    public Map<String, String> whoami(IndirectSocket socket) {
        return Map.of("id", socket.id(), "name", nameOf(socket));
    }

    /**
     * This instance took the socket over from another chat backend instance that died or stopped. The chat
     * keeps nothing per socket (the worker keeps the rooms), so there is nothing to rebuild: the client is
     * told, with the rooms it is still in.
     */
    @OnRecover
    public void recovered(RemoteSocket socket, String reason) {
        socket.emit("recovered", Map.of("name", nameOf(socket), "reason", reason, "rooms",
                new TreeSet<>(socket.rooms())));
    }

    /** The handshake auth's {@code name}, or "anonymous". */
    private String nameOf(IndirectSocket socket) {
        Handshake handshake = socket.handshake();
        if (handshake == null) {
            return "anonymous";
        }
        JsonNode name = json.readTree(handshake.auth()).get("name");
        return name != null && name.isString() && !name.asString().isBlank() ? name.asString() : "anonymous";
    }
}
