package io.github.siodistributor.samples.chat;

import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.annotation.OnDisconnect;
import io.github.siodistributor.backend.annotation.OnEvent;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code /cluster} namespace of {@link ClusterApiTest}: rooms, socket data and room shouts, and the
 * disconnects it saw.
 */
@SocketNamespace("/cluster")
public class ClusterApiHandler {

    /** What a client tells about itself; kept as the socket's data. */
    public record Profile(String name, int level) {
    }

    /** A message for the other members of a room. */
    public record Shout(String room, String text) {
    }

    /** The disconnect reason the backend got, by socket id. */
    final Map<String, String> disconnectReasons = new ConcurrentHashMap<>();

    @OnEvent("join")
    public String join(IndirectSocket socket, String room) {
        socket.join(room);
        return room;
    }

    /** Stores the profile as the socket's data, where fetchSockets finds it. */
    @OnEvent("profile")
    public boolean profile(IndirectSocket socket, Profile profile) {
        socket.setData(profile);
        return true;
    }

    /** Everyone in the room but the sender hears it ({@code socket.to(room).emit}). */
    @OnEvent("shout")
    public boolean shout(IndirectSocket socket, Shout shout) {
        socket.to(shout.room()).emit("shouted", shout.text(), socket.id());
        return true;
    }

    @OnDisconnect
    public void disconnected(IndirectSocket socket, String reason) {
        disconnectReasons.put(socket.id(), reason);
    }
}
