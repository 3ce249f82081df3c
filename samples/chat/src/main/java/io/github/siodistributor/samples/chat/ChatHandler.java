package io.github.siodistributor.samples.chat;

import io.github.siodistributor.backend.EventRejectedException;
import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.RemoteSocket;
import io.github.siodistributor.backend.SocketArgs;
import io.github.siodistributor.backend.annotation.OnConnect;
import io.github.siodistributor.backend.annotation.OnDisconnect;
import io.github.siodistributor.backend.annotation.OnEvent;
import io.github.siodistributor.backend.annotation.OnRecover;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import io.github.siodistributor.core.protocol.Handshake;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code /chat} namespace: rooms, messages to a room, who is online in a room, and a few acks to play
 * with. It keeps no state of its own: the workers keep each socket's rooms and its {@link Member} data, so
 * any number of instances can serve the namespace and any of them answers "who is online".
 *
 * <p>What a client sends is checked as any server must: room names and message lengths are bounded, a socket is
 * in a few rooms at most, and it speaks to and lists only rooms it joined. A refusal is an {@link
 * EventRejectedException}: the client's ack gets its message, and nothing is logged.
 */
@Component
@SocketNamespace("/chat")
public class ChatHandler {

    /** Letters, digits, {@code _} and {@code -}: never a socket id (those have a dot), which is a room too. */
    static final Pattern ROOM = Pattern.compile("[\\p{L}\\p{N}_-]{1,32}");
    static final int MAX_ROOMS = 20;
    static final int MAX_TEXT = 500;
    static final int MAX_NAME = 32;

    /** What a client says to a room. */
    public record Say(String room, String text) {
    }

    /** What everyone in the room receives; {@code from} is the sender's socket id. */
    public record Said(String room, String name, String text, String from) {
    }

    /**
     * A socket's data, kept by its worker: its name and its rooms, what {@code fetchSockets()} tells about it to
     * every backend instance, and what its disconnect handler finds.
     */
    public record Member(String name, Set<String> rooms) {

        public Member {
            rooms = Set.copyOf(rooms == null ? Set.of() : rooms);
        }

        Member joined(String room) {
            Set<String> more = new TreeSet<>(rooms);
            more.add(room);
            return new Member(name, more);
        }

        Member left(String room) {
            Set<String> fewer = new TreeSet<>(rooms);
            fewer.remove(room);
            return new Member(name, fewer);
        }
    }

    /** One entry of a room's online list. */
    public record Online(String id, String name) {
    }

    /**
     * Someone joined or left a room ({@code room} null: left the chat, so each of their rooms). Clients refresh
     * their online list when they get it.
     */
    public record Presence(String room, String name, String change) {
    }

    private final JsonMapper json;

    public ChatHandler(JsonMapper json) {
        this.json = json;
    }

    /**
     * Keeps the name with the socket on its worker, where {@link #online} finds it, and joins the rooms the page
     * asks for in its auth ({@code rooms}, {@code "lobby,garden"}: a page that reconnects is back in its rooms
     * before any of its events).
     * Names that are not room names, and rooms beyond {@value #MAX_ROOMS}, are left out.
     */
    @OnConnect
    public void connected(IndirectSocket socket) {
        Member member = new Member(nameInHandshake(socket), Set.of());
        for (String room : roomsInHandshake(socket)) {
            if (member.rooms().size() < MAX_ROOMS && ROOM.matcher(room).matches()) {
                member = member.joined(room);
            }
        }
        socket.setData(member);
        for (String room : member.rooms()) {
            socket.join(room);
            socket.to(room).emit("presence", new Presence(room, member.name(), "joined"));
        }
    }

    @OnEvent("join")
    public String join(IndirectSocket socket, String room) {
        String valid = roomName(room);
        Member member = member(socket);
        if (!member.rooms().contains(valid)) {
            if (member.rooms().size() >= MAX_ROOMS) {
                throw new EventRejectedException("in " + MAX_ROOMS + " rooms already: leave one first");
            }
            socket.setData(member.joined(valid));
            socket.join(valid);
            socket.to(valid).emit("presence", new Presence(valid, member.name(), "joined"));
        }
        return valid;
    }

    @OnEvent("leave")
    public String leave(IndirectSocket socket, String room) {
        String valid = roomName(room);
        Member member = member(socket);
        if (member.rooms().contains(valid)) {
            socket.setData(member.left(valid));
            socket.leave(valid);
            socket.to(valid).emit("presence", new Presence(valid, member.name(), "left"));
        }
        return valid;
    }

    /**
     * Who is in the room, on every worker ({@code fetchSockets()}), sorted by name. Answered when the workers
     * have answered, without holding a handler thread meanwhile.
     */
    @OnEvent("online")
    public CompletableFuture<List<Online>> online(IndirectSocket socket, String room) {
        String valid = joinedRoom(socket, room);
        return socket.namespace().in(valid).fetchSockets().handle((sockets, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                throw new EventRejectedException(cause instanceof TimeoutException
                        ? "not every worker answered in time" : "the workers could not be asked now");
            }
            return sockets.stream()
                    .map(member -> new Online(member.id(), memberName(member)))
                    .sorted(Comparator.comparing(Online::name).thenComparing(Online::id))
                    .toList();
        });
    }

    /** The rooms this socket was in refresh their online lists: the page asks again. */
    @OnDisconnect
    public void disconnected(IndirectSocket socket, String reason) {
        Member member = member(socket);
        if (!member.rooms().isEmpty()) {
            socket.namespace().to(member.rooms().toArray(String[]::new))
                    .emit("presence", new Presence(null, member.name(), "left"));
        }
    }

    @OnEvent("say")
    public boolean say(IndirectSocket socket, Say say) {
        if (say == null || say.text() == null || say.text().isBlank()) {
            throw new EventRejectedException("nothing to say");
        }
        if (say.text().length() > MAX_TEXT) {
            throw new EventRejectedException("at most " + MAX_TEXT + " characters");
        }
        String room = joinedRoom(socket, say.room());
        socket.namespace().to(room).emit("said", new Said(room, member(socket).name(), say.text(), socket.id()));
        return true;
    }

    @OnEvent("echo")
    public SocketArgs echo(SocketArgs args) {
        return args;
    }

    @OnEvent("whoami")
    public Map<String, String> whoami(IndirectSocket socket) {
        return Map.of("id", socket.id(), "name", member(socket).name());
    }

    /**
     * This instance took the socket over from another chat backend instance that died or stopped. The chat
     * keeps nothing per socket (the worker keeps the rooms and the member), so there is nothing to rebuild: the
     * client is told, with the rooms it is still in.
     */
    @OnRecover
    public void recovered(RemoteSocket socket, String reason) {
        socket.emit("recovered", Map.of("name", memberName(socket), "reason", reason, "rooms",
                new TreeSet<>(socket.rooms())));
    }

    private static String roomName(String room) {
        if (room == null || !ROOM.matcher(room).matches()) {
            throw new EventRejectedException("a room name is 1 to 32 letters, digits, _ or -");
        }
        return room;
    }

    private String joinedRoom(IndirectSocket socket, String room) {
        String valid = roomName(room);
        if (!member(socket).rooms().contains(valid)) {
            throw new EventRejectedException("join #" + valid + " first");
        }
        return valid;
    }

    /** What this backend (or the one before it) set on the socket; from the handshake for one that has none. */
    private Member member(IndirectSocket socket) {
        Member member = socket.data(Member.class);
        return member != null ? member : new Member(nameInHandshake(socket), Set.of());
    }

    private static String memberName(RemoteSocket socket) {
        Member member = socket.data(Member.class);
        return member != null ? member.name() : "anonymous";
    }

    /** The handshake auth's {@code name}, at most {@value #MAX_NAME} characters, or "anonymous". */
    private String nameInHandshake(IndirectSocket socket) {
        JsonNode name = auth(socket).get("name");
        if (name == null || !name.isString() || name.asString().isBlank()) {
            return "anonymous";
        }
        String given = name.asString().strip();
        return given.codePointCount(0, given.length()) > MAX_NAME
                ? given.substring(0, given.offsetByCodePoints(0, MAX_NAME)) : given;
    }

    /**
     * The handshake auth's {@code rooms}, separated by commas (which no room name has: the Java client's auth takes
     * strings only), at most a few more than a socket may join.
     */
    private List<String> roomsInHandshake(IndirectSocket socket) {
        JsonNode rooms = auth(socket).get("rooms");
        if (rooms == null || !rooms.isString() || rooms.asString().isEmpty()) {
            return List.of();
        }
        return Arrays.stream(rooms.asString().split(",", 2 * MAX_ROOMS + 1)).limit(2L * MAX_ROOMS).toList();
    }

    private JsonNode auth(IndirectSocket socket) {
        Handshake handshake = socket.handshake();
        return handshake == null ? json.createObjectNode() : json.readTree(handshake.auth());
    }
}
