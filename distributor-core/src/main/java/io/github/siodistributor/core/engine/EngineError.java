package io.github.siodistributor.core.engine;

import java.nio.charset.StandardCharsets;

/** Engine.IO's HTTP errors, with the codes and messages the reference server sends. */
public enum EngineError {
    UNKNOWN_TRANSPORT(0, "Transport unknown"),
    UNKNOWN_SID(1, "Session ID unknown"),
    BAD_HANDSHAKE_METHOD(2, "Bad handshake method"),
    BAD_REQUEST(3, "Bad request"),
    FORBIDDEN(4, "Forbidden"),
    UNSUPPORTED_PROTOCOL_VERSION(5, "Unsupported protocol version");

    private final int code;
    private final String message;
    private final byte[] body;

    EngineError(int code, String message) {
        this.code = code;
        this.message = message;
        this.body = ("{\"code\":" + code + ",\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    public int code() {
        return code;
    }

    public String message() {
        return message;
    }

    /** The JSON body, {@code {"code":1,"message":"Session ID unknown"}}; a copy, the caller may keep it. */
    public byte[] body() {
        return body.clone();
    }

    /** 403 for {@link #FORBIDDEN}, else 400. */
    public int httpStatus() {
        return this == FORBIDDEN ? 403 : 400;
    }
}
