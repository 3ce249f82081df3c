package io.github.siodistributor.core.socketio;

import io.github.siodistributor.core.protocol.LoneSurrogates;
import java.util.Set;

/**
 * Event names that are the Socket.IO API's own: a client may not emit them to the server, and the server may
 * not emit them to a client (its {@code disconnect} listener would run while it is still connected).
 */
public final class ReservedEvents {

    private static final Set<String> NAMES = Set.of("connect", "connect_error", "disconnect", "disconnecting",
            "newListener", "removeListener");

    private ReservedEvents() {
    }

    public static boolean isReserved(String event) {
        return NAMES.contains(event);
    }

    /**
     * The event name, when a server may emit it.
     *
     * @throws IllegalArgumentException for a reserved name or none, naming the reserved ones, or for a name
     *         that cannot travel as UTF-8
     */
    public static String requireEmittable(String event) {
        if (event == null || isReserved(event)) {
            throw new IllegalArgumentException("\"" + event + "\" is a reserved event name: a server emits no "
                    + "connect, connect_error, disconnect, disconnecting, newListener or removeListener");
        }
        return LoneSurrogates.requireNone("the event name", event);
    }
}
