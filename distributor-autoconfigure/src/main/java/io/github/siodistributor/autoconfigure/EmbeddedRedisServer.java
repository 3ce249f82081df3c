package io.github.siodistributor.autoconfigure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/** A redis-server process started from the embedded-redis binary, bound to loopback, keeping nothing on disk. */
public final class EmbeddedRedisServer {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedRedisServer.class);
    private static final String HOST = "127.0.0.1";
    private static final int FREE_PORT_ATTEMPTS = 3;

    private final RedisServer server;
    private final int port;

    private EmbeddedRedisServer(RedisServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /** @param port the port, or 0 for a free one */
    public static EmbeddedRedisServer start(int port) {
        if (port != 0) {
            return startOn(port);
        }
        // a port found free may be taken by another process before redis-server binds it: try a few
        UncheckedIOException last = null;
        for (int attempt = 0; attempt < FREE_PORT_ATTEMPTS; attempt++) {
            try {
                return startOn(freePort());
            } catch (UncheckedIOException e) {
                last = e;
            }
        }
        throw last;
    }

    private static EmbeddedRedisServer startOn(int port) {
        try {
            RedisServer server = RedisServer.newRedisServer().port(port).bind(HOST).setting("save \"\"")
                    .setting("appendonly no").build();
            server.start();
            log.info("Embedded Redis (development only) listening on {}:{}", HOST, port);
            return new EmbeddedRedisServer(server, port);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded Redis server on port " + port, e);
        }
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    public void stop() {
        try {
            server.stop();
        } catch (IOException e) {
            log.warn("Could not stop the embedded Redis server on port {}", port, e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not find a free port for the embedded Redis server", e);
        }
    }
}
