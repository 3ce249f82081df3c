package io.github.siodistributor.core.protocol;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The one shape in which clients learn that an event failed (documented in the README): the error
 * object {@code {"event": ..., "message": ...}}, sent in the event's ack as {@code {"error": <object>}},
 * or as the argument of an {@code error} event when the client asked for no ack. Workers and backends
 * both send it, so it is built here once.
 */
public final class ClientErrors {

    /** The event a client receives for a failed event when it asked for no ack. */
    public static final String ERROR_EVENT = "error";

    private ClientErrors() {
    }

    /** The ack arguments {@code [{"error":{"event":..,"message":..}}]}. */
    public static Payload ack(String event, String message) {
        return Payload.ofJsonArray(("[{\"error\":" + object(event, message) + "}]").getBytes(StandardCharsets.UTF_8));
    }

    /** The {@link #ERROR_EVENT} arguments {@code [{"event":..,"message":..}]}. */
    public static Payload event(String event, String message) {
        return Payload.ofJsonArray(("[" + object(event, message) + "]").getBytes(StandardCharsets.UTF_8));
    }

    private static String object(String event, String message) {
        return "{\"event\":" + quote(event) + ",\"message\":" + quote(message) + "}";
    }

    private static String quote(String text) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsUTF8(text), StandardCharsets.UTF_8) + "\"";
    }
}
