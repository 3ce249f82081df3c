package io.github.siodistributor.test;

import tools.jackson.databind.JsonNode;

/**
 * The server refused a {@link TestSocket}: it answered with {@code connect_error} (a handler threw
 * {@code ConnectionRejectedException}, or the namespace is served by nobody).
 */
public final class ConnectRefusedException extends RuntimeException {

    private final transient JsonNode error;

    ConnectRefusedException(String namespace, JsonNode error) {
        super("connect_error for " + namespace + ": " + error);
        this.error = error;
    }

    /** The error's {@code message}, as the JavaScript client's {@code err.message}. */
    public String errorMessage() {
        return error == null ? null : error.path("message").asString(null);
    }

    /** The error's {@code data}, as the JavaScript client's {@code err.data}; a missing node when there is none. */
    public JsonNode errorData() {
        return error == null ? null : error.path("data");
    }
}
