package io.github.siodistributor.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
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
    /** Held open by {@link #cutSubscribers()}: the one connection that may still lift the client limit. */
    private Socket control;
    /** Stopped with SIGSTOP by {@link #freeze()}. */
    private boolean frozen;

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

    /**
     * Kills every pub/sub connection and refuses new connections until {@link #admitClients()}: clients that
     * reconnect their subscribers by themselves (Lettuce does) are left with a dead subscription while their
     * other connections stay up. Nothing else tells apart a dead subscription from a dead Redis.
     *
     * @return how many pub/sub connections were killed
     */
    public synchronized long cutSubscribers() {
        if (control != null) {
            throw new IllegalStateException("subscribers are cut already");
        }
        try {
            control = new Socket();
            control.connect(new InetSocketAddress(HOST, port), 5000);
            control.setSoTimeout(5000);
            long clients = infoField(command(control, "INFO", "clients"), "connected_clients");
            long subscribers = command(control, "CLIENT", "LIST", "TYPE", "pubsub").lines()
                    .filter(line -> line.startsWith("id=")).count();
            // the limit first: killed subscribers reconnect within milliseconds
            command(control, "CONFIG", "SET", "maxclients", String.valueOf(clients - subscribers));
            return Long.parseLong(command(control, "CLIENT", "KILL", "TYPE", "pubsub"));
        } catch (IOException e) {
            throw new UncheckedIOException("could not cut the subscribers of Redis on port " + port, e);
        }
    }

    /**
     * The client ports of the pub/sub connections Redis has now (what {@code CLIENT LIST} shows in {@code addr}):
     * which connection of a process is its subscription, to cut it alone in front of Redis.
     */
    public List<Integer> subscriberPorts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 5000);
            socket.setSoTimeout(5000);
            return command(socket, "CLIENT", "LIST", "TYPE", "pubsub").lines()
                    .flatMap(line -> Arrays.stream(line.split(" ")))
                    .filter(field -> field.startsWith("addr="))
                    .map(field -> Integer.parseInt(field.substring(field.lastIndexOf(':') + 1)))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("could not list the subscribers of Redis on port " + port, e);
        }
    }

    /** Lifts the limit {@link #cutSubscribers()} set: subscribers may reconnect. */
    public synchronized void admitClients() {
        if (control == null) {
            return;
        }
        try (Socket socket = control) {
            control = null;
            command(socket, "CONFIG", "SET", "maxclients", "10000");
        } catch (IOException e) {
            throw new UncheckedIOException("could not lift the client limit of Redis on port " + port, e);
        }
    }

    /** One command over {@code socket} in RESP; returns a simple, integer or bulk reply as text. */
    private static String command(Socket socket, String... args) throws IOException {
        StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
        for (String arg : args) {
            request.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg)
                    .append("\r\n");
        }
        OutputStream out = socket.getOutputStream();
        out.write(request.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = socket.getInputStream();
        String line = readLine(in);
        switch (line.charAt(0)) {
            case '+', ':' -> {
                return line.substring(1);
            }
            case '$' -> {
                byte[] body = in.readNBytes(Integer.parseInt(line.substring(1)) + 2);
                return new String(body, 0, body.length - 2, StandardCharsets.UTF_8);
            }
            default -> throw new IOException("Redis answered " + String.join(" ", args) + " with " + line);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        for (int b = in.read(); b != -1; b = in.read()) {
            if (previous == '\r' && b == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            line.write(b);
            previous = b;
        }
        throw new IOException("Redis closed the connection");
    }

    private static long infoField(String info, String field) {
        return info.lines().filter(line -> line.startsWith(field + ":")).findFirst()
                .map(line -> Long.parseLong(line.substring(field.length() + 1).trim()))
                .orElseThrow(() -> new IllegalStateException("no " + field + " in INFO: " + info));
    }

    /**
     * Stops the redis-server process where it is (SIGSTOP): its connections stay open and nothing answers, as with a
     * Redis that hangs, or a host gone without resetting its connections. {@link #thaw()} lets it go on.
     */
    public synchronized void freeze() {
        signal("STOP");
        frozen = true;
    }

    /** Lets a {@link #freeze() frozen} server go on (SIGCONT); what was sent to it meanwhile is answered then. */
    public synchronized void thaw() {
        if (frozen) {
            signal("CONT");
            frozen = false;
        }
    }

    private void signal(String signal) {
        String title = "redis-server on " + HOST + ":" + port;
        ProcessHandle process = ProcessHandle.current().descendants().filter(this::isThisServer).findFirst()
                .orElseThrow(() -> new IllegalStateException("no running " + title));
        ProcessSignals.send(process.pid(), signal, title);
    }

    /** redis-server writes its address into its process title, which Linux shows as its command line. */
    private boolean isThisServer(ProcessHandle handle) {
        try {
            String title = Files.readString(Path.of("/proc", String.valueOf(handle.pid()), "cmdline"),
                    StandardCharsets.ISO_8859_1);
            return title.contains("redis-server") && title.contains(" " + HOST + ":" + port + "\0");
        } catch (IOException e) {
            return false; // ended meanwhile, or not Linux
        }
    }

    /** Stops the server (kills the process); {@link #start()} brings it back on the same port. */
    public synchronized void stop() {
        // a stopped process takes its SIGTERM only once it runs again
        thaw();
        try {
            if (control != null) {
                control.close();
                control = null;
            }
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
