package io.github.siodistributor.samples.chat;

import io.github.siodistributor.backend.Ack;
import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.RemoteSocket;
import io.github.siodistributor.backend.SocketArgs;
import io.github.siodistributor.backend.annotation.OnConnect;
import io.github.siodistributor.backend.annotation.OnDisconnect;
import io.github.siodistributor.backend.annotation.OnEvent;
import io.github.siodistributor.backend.annotation.OnRecover;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import io.github.siodistributor.core.protocol.Handshake;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code /chat} namespace: rooms, messages to a room, who is online in a room, and a few acks to play
 * with. It keeps no state of its own: the workers keep each socket's rooms and its {@link Member} data, so
 * any number of instances can serve the namespace and any of them answers "who is online".
 */
@Component
@SocketNamespace("/chat")
public class ChatHandler {

    /** What a client says to a room. */
    public record Say(String room, String text) {
    }

    /** What everyone in the room receives; {@code from} is the sender's socket id. */
    public record Said(String room, String name, String text, String from) {
    }

    /** A socket's data: what {@code fetchSockets()} tells about it to every backend instance. */
    public record Member(String name) {
    }

    /** One entry of a room's online list. */
    public record Online(String id, String name) {
    }

    /**
     * Someone joined or left a room ({@code room} null: left the chat, so every room). Clients refresh
     * their online list when they get it.
     */
    public record Presence(String room, String name, String change) {
    }

    private final JsonMapper json;

    public ChatHandler(JsonMapper json) {
        this.json = json;
    }

    /** Keeps the name with the socket on its worker, where {@link #online} finds it. */
    @OnConnect
    public void connected(IndirectSocket socket) {
        socket.setData(new Member(nameOf(socket)));
    }

    @OnEvent("join")
    public String join(IndirectSocket socket, String room) {
        socket.join(room);
        socket.to(room).emit("presence", new Presence(room, nameOf(socket), "joined"));
        return room;
    }

    @OnEvent("leave")
    public String leave(IndirectSocket socket, String room) {
        socket.leave(room);
        socket.to(room).emit("presence", new Presence(room, nameOf(socket), "left"));
        return room;
    }

    /**
     * Who is in the room, on every worker ({@code fetchSockets()}), sorted by name. Answered when the workers
     * have answered, without holding a handler thread meanwhile.
     */
    @OnEvent("online")
    public void online(IndirectSocket socket, String room, Ack ack) {
        socket.namespace().in(room).fetchSockets().whenComplete((sockets, failure) -> {
            if (failure != null) {
                ack.send(Map.of("error", Map.of("event", "online", "message", "not every worker answered in time")));
                return;
            }
            List<Online> members = sockets.stream()
                    .map(member -> new Online(member.id(), memberName(member)))
                    .sorted(Comparator.comparing(Online::name).thenComparing(Online::id))
                    .toList();
            ack.send(members);
        });
    }

    /** Everyone refreshes the online list of the rooms they look at: the worker knew this socket's rooms, we do not. */
    @OnDisconnect
    public void disconnected(IndirectSocket socket, String reason) {
        socket.namespace().emit("presence", new Presence(null, nameOf(socket), "left"));
    }

    @OnEvent("say")
    public boolean say(IndirectSocket socket, Say say) {
        socket.namespace().to(say.room()).emit("said", new Said(say.room(), nameOf(socket), say.text(), socket.id()));
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

    private static String memberName(RemoteSocket socket) {
        Member member = socket.data(Member.class);
        return member != null ? member.name() : "anonymous";
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
