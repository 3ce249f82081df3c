package io.github.siodistributor.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Finds TCP ports that are free on the loopback interface right now. */
public final class FreePorts {

    /** Reserved for the developer's own Redis; tests must never touch it. */
    public static final int CONVENIENCE_REDIS_PORT = 6379;

    private FreePorts() {
    }

    /**
     * Returns a port that was free on 127.0.0.1 a moment ago (the OS picks it from the ephemeral range).
     * There is an unavoidable window before the caller binds it, which is fine for tests.
     */
    public static int find() {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = socket.getLocalPort();
                if (port != CONVENIENCE_REDIS_PORT) {
                    return port;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("could not find a free port", e);
            }
        }
    }
}
