package io.github.siodistributor.core.engine;

import java.nio.charset.StandardCharsets;

/**
 * One Engine.IO packet on its way to a client: text (the whole packet, type digit first, e.g.
 * {@code 42["event"]}) or a binary message. The bytes are never changed once made, so one frame can
 * be written to many clients (a broadcast is encoded once).
 */
public record Frame(boolean binary, byte[] bytes) {

    static final Frame PING = text("2");
    static final Frame NOOP = text("6");
    static final Frame CLOSE = text("1");
    static final Frame PROBE_PONG = text("3probe");

    public static Frame text(byte[] packet) {
        return new Frame(false, packet);
    }

    public static Frame text(String packet) {
        return new Frame(false, packet.getBytes(StandardCharsets.UTF_8));
    }

    public static Frame binary(byte[] message) {
        return new Frame(true, message);
    }
}
