package io.github.siodistributor.autoconfigure;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import redis.embedded.RedisServer;

/** A redis-server process started from the embedded-redis binary, bound to loopback, keeping nothing on disk. */
public final class EmbeddedRedisServer {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedRedisServer.class);
    private static final String HOST = "127.0.0.1";
    private static final int FREE_PORT_ATTEMPTS = 3;

    /** What redis-server prints once it takes connections. */
    private static final String READY = "Ready to accept connections";
    private static final long READY_WAIT_SECONDS = 30;
    private static final long STOP_WAIT_SECONDS = 10;

    /** util-linux's: starts a program in a session (and process group) of its own. */
    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private final Process process;
    private final int port;
    /** Registered with Spring Boot's shutdown handlers until {@link #stop()}, which unregisters it. */
    private final Runnable stopAtExit = this::stop;

    private EmbeddedRedisServer(Process process, int port) {
        this.process = process;
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
        Process process = null;
        try {
            // the library's own start would add a JVM shutdown hook that stops the server at once, while the
            // application's shutdown still talks to it: the process is started here, and stopped with the context
            List<String> command = new ArrayList<>();
            if (Files.isExecutable(SETSID)) {
                // a session of its own: a terminal's Ctrl+C (SIGINT to the whole foreground process group) must stop
                // the JVM, whose shutdown then stops the server, not the server along with it
                command.add(SETSID.toString());
            }
            command.addAll(RedisServer.newRedisServer().port(port).bind(HOST).setting("save \"\"")
                    .setting("appendonly no").buildCommandArgs());
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
            awaitReady(process, port);
            EmbeddedRedisServer server = new EmbeddedRedisServer(process, port);
            stopWhenTheJvmExits(server);
            log.info("Embedded Redis (development only) listening on {}:{}", HOST, port);
            return server;
        } catch (IOException e) {
            if (process != null) {
                process.destroyForcibly();
            }
            throw new UncheckedIOException("Could not start the embedded Redis server on port " + port + ": "
                    + e.getMessage(), e);
        }
    }

    /** Reads the server's output until it is ready; the rest of it goes to the log (DEBUG) on a thread of its own. */
    private static void awaitReady(Process process, int port) throws IOException {
        BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        StringBuffer seen = new StringBuffer(); // read by the starting thread when it gives up waiting
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread pump = new Thread(() -> {
            try {
                for (String line = output.readLine(); line != null; line = output.readLine()) {
                    if (ready.isDone()) {
                        log.debug("redis-server {}: {}", port, line);
                    } else {
                        seen.append(line).append('\n');
                        if (line.contains(READY)) {
                            ready.complete(null);
                        }
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
            ready.completeExceptionally(new IOException("redis-server exited before it was ready:\n" + seen));
        }, "embedded-redis-" + port);
        pump.setDaemon(true);
        pump.start();
        try {
            ready.get(READY_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (IOException) e.getCause();
        } catch (TimeoutException e) {
            throw new IOException("redis-server was not ready within " + READY_WAIT_SECONDS + " s:\n" + seen, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while redis-server started", e);
        }
    }

    /**
     * Should the JVM exit without closing the application context, the server goes too: after the contexts Spring
     * Boot's shutdown hook closes, never while they still use it.
     */
    private static void stopWhenTheJvmExits(EmbeddedRedisServer server) {
        try {
            SpringApplication.getShutdownHandlers().add(server.stopAtExit);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is exiting already: the context that started this server stops it
        }
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    /** Stops the server (SIGTERM), forcibly when it has not ended within 10 s; nothing when it is stopped already. */
    public void stop() {
        try {
            SpringApplication.getShutdownHandlers().remove(stopAtExit);
        } catch (IllegalStateException shuttingDown) {
            // Spring Boot's shutdown hook runs its handlers (this one, maybe): nothing to take back
        }
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
                log.warn("The embedded Redis server on port {} did not stop within {} s: killed", port,
                        STOP_WAIT_SECONDS);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
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
