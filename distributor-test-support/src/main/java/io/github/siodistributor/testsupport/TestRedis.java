package io.github.siodistributor.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

import redis.embedded.RedisServer;

/**
 * A throw-away Redis (embedded-redis, bundled redis-server 6.2) on a free loopback port, without persistence.
 * It can be stopped and started again on the same port, e.g. to test how clients ride out a Redis outage.
 *
 * <pre>{@code
 * try (TestRedis redis = TestRedis.startNew()) {
 *     connectTo(redis.uri());
 * }
 * }</pre>
 */
public final class TestRedis implements AutoCloseable {

    public static final String HOST = "127.0.0.1";
    private static final int LOG_TAIL_LINES = 50;

    private final int port;
    private final RedisServer server;
    /** Last lines redis-server printed; draining its pipes also keeps it from blocking on a full pipe. */
    private final Deque<String> logTail = new ArrayDeque<>();

    /** A server on a free port, not started yet. */
    public TestRedis() {
        this(FreePorts.find());
    }

    /** A server on the given port, not started yet. */
    public TestRedis(int port) {
        this.port = port;
        Consumer<String> log = this::remember;
        try {
            this.server = RedisServer.newRedisServer()
                    .port(port)
                    .bind(HOST)
                    .setting("save \"\"") // no RDB snapshots
                    .setting("appendonly no")
                    .soutListener(log)
                    .serrListener(log)
                    .build();
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare embedded Redis on port " + port, e);
        }
    }

    /** Creates and starts a server on a free port. */
    public static TestRedis startNew() {
        return new TestRedis().start();
    }

    /** Starts the server (again) on its port and returns once it accepts connections; no-op if running. */
    public synchronized TestRedis start() {
        try {
            server.start();
        } catch (IOException e) {
            throw new IllegalStateException("embedded Redis did not start on " + HOST + ":" + port
                    + "; redis-server output:\n" + String.join("\n", logTail()), e);
        }
        return this;
    }

    /** Stops the server (kills the process); {@link #start()} brings it back on the same port. */
    public synchronized void stop() {
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException("could not stop embedded Redis on port " + port, e);
        }
    }

    public boolean isRunning() {
        return server.isActive();
    }

    public int port() {
        return port;
    }

    public String host() {
        return HOST;
    }

    /** {@code redis://127.0.0.1:<port>} */
    public String uri() {
        return "redis://" + HOST + ":" + port;
    }

    /** The last lines redis-server wrote to stdout/stderr, for failure messages. */
    public List<String> logTail() {
        synchronized (logTail) {
            return List.copyOf(logTail);
        }
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "TestRedis[" + uri() + (isRunning() ? ", running]" : ", stopped]");
    }

    private void remember(String line) {
        synchronized (logTail) {
            if (logTail.size() == LOG_TAIL_LINES) {
                logTail.removeFirst();
            }
            logTail.addLast(line);
        }
    }
}
