package io.github.siodistributor.samples.chat;

import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.annotation.OnConnect;
import io.github.siodistributor.backend.annotation.OnEvent;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import java.util.Map;

/**
 * A dynamic namespace for tests: every {@code /game-<digits>} is served by this one handler, which
 * tells its sockets which concrete namespace they are in.
 */
@SocketNamespace("^/game-\\d+$")
public class GameHandler {

    /** Greets with the concrete namespace name the handler sees. */
    @OnConnect
    public void connected(IndirectSocket socket) {
        socket.emit("welcome", socket.namespace().name());
    }

    /** The concrete namespace and socket id, as the handler sees them. */
    @OnEvent("where")
    public Map<String, String> where(IndirectSocket socket) {
        return Map.of("namespace", socket.namespace().name(), "id", socket.id());
    }

    @OnEvent("join")
    public String join(IndirectSocket socket, String room) {
        socket.join(room);
        return room;
    }

    /** Sends {@code text} to a room of the sender's own namespace. */
    @OnEvent("tell")
    public boolean tell(IndirectSocket socket, String room, String text) {
        socket.namespace().to(room).emit("told", text);
        return true;
    }
}
