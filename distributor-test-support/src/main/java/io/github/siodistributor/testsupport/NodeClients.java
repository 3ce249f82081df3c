package io.github.siodistributor.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

/**
 * Drives many real socket.io-client v4 sockets from one Node process ({@code client-driver.js}), over JSON lines.
 *
 * <p>Every line the driver prints is kept in order. Each {@code await*} call returns the first line that matches
 * and that no earlier await has returned, then marks it consumed; so a test can await "connect of a" and then
 * "said on b" whatever order they actually arrived in, and awaiting the same kind of line twice yields two
 * different lines. Waits are condition waits with a deadline; on timeout they throw an {@link AssertionError}
 * that shows the recent lines and the driver's stderr.
 *
 * <p>Binary arguments: {@code byte[]} / {@link ByteBuffer} values (also nested in maps, lists and beans) are sent
 * as binary; binary values received from the server show up as {@code {"$binary":"<base64>"}}, see
 * {@link #binary(JsonNode)}.
 *
 * <p>Needs {@code node} on the PATH (or system property {@value #NODE_PROPERTY}) and the npm install that the
 * distributor-test-support build performs; see {@link #resolveJsDir()}.
 */
public final class NodeClients implements AutoCloseable {

    /** Directory holding client-driver.js and its node_modules. */
    public static final String JS_DIR_PROPERTY = "distributor.test.js-dir";
    /** Node executable, default {@code node}. */
    public static final String NODE_PROPERTY = "distributor.test.node";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);
    public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(10);

    private static final String DRIVER = "client-driver.js";
    private static final String JS_DIR_BELOW_ROOT = "distributor-test-support/target/js";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
    private static final int TAIL_LINES = 40;
    private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(binaryModule());

    private final Process process;
    private final Writer stdin;

    /** Guards lines, consumed, stderrTail and driverGone; notified on every change. */
    private final Object lock = new Object();
    private final List<JsonNode> lines = new ArrayList<>();
    private final BitSet consumed = new BitSet();
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private boolean driverGone;

    private final Map<Long, PendingAck> pendingAcks = new ConcurrentHashMap<>();
    private final AtomicLong nextRef = new AtomicLong(1);
    private volatile boolean closed;

    private record PendingAck(String id, String event, CompletableFuture<List<JsonNode>> future) {
    }

    /** Starts the driver from the directory found by {@link #resolveJsDir()}. */
    public NodeClients() {
        this(resolveJsDir());
    }

    /** Starts the driver from {@code jsDir} (must contain client-driver.js and node_modules). */
    public NodeClients(Path jsDir) {
        String node = System.getProperty(NODE_PROPERTY, "node");
        ProcessBuilder builder = new ProcessBuilder(node, jsDir.resolve(DRIVER).toString()).directory(jsDir.toFile());
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("could not start '" + node + "' (Node.js 20+ must be on the PATH, or set -D"
                    + NODE_PROPERTY + "=/path/to/node)", e);
        }
        stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        startReader("client-driver-stdout", process.getInputStream(), this::onStdout, this::onStdoutClosed);
        startReader("client-driver-stderr", process.getErrorStream(), this::onStderr, () -> { });
        try {
            awaitEvent("the driver's ready line", line -> "ready".equals(line.path("type").asText()), STARTUP_TIMEOUT);
        } catch (AssertionError e) {
            close();
            throw e;
        }
    }

    // ------------------------------------------------------------------ commands

    /** Opens {@code io(url + namespace, {auth, forceNew: true, reconnection: false, ...options})} under {@code id}. */
    public void connect(String id, String url, String namespace, Map<String, ?> auth, Map<String, ?> options) {
        ObjectNode cmd = command("connect", id);
        cmd.put("url", url);
        cmd.put("namespace", namespace == null ? "" : namespace);
        cmd.set("auth", MAPPER.valueToTree(auth == null ? Map.of() : auth));
        cmd.set("options", MAPPER.valueToTree(options == null ? Map.of() : options));
        send(cmd);
    }

    /** {@link #connect(String, String, String, Map, Map)} with no auth and default options. */
    public void connect(String id, String url, String namespace) {
        connect(id, url, namespace, null, null);
    }

    /**
     * Opens a socket for another namespace over the connection (the Manager, one Engine.IO session) of the
     * already connected {@code sameConnectionAs}, as the JavaScript client multiplexes namespaces of one url:
     * {@code manager.socket(namespace, {auth})}. Its connect line carries the same {@code engineId}.
     */
    public void connectOnSameConnection(String id, String sameConnectionAs, String namespace, Map<String, ?> auth) {
        ObjectNode cmd = command("connect", id);
        cmd.put("sameConnectionAs", sameConnectionAs);
        cmd.put("namespace", namespace);
        cmd.set("auth", MAPPER.valueToTree(auth == null ? Map.of() : auth));
        send(cmd);
    }

    /** Fire-and-forget emit. */
    public void emit(String id, String event, Object... args) {
        ObjectNode cmd = command("emit", id);
        cmd.put("event", event);
        cmd.set("args", MAPPER.valueToTree(Arrays.asList(args)));
        send(cmd);
    }

    /** Emits with an ack callback; completes with the ack arguments, see {@link #emitWithAck(Duration, String, String, Object...)}. */
    public CompletableFuture<List<JsonNode>> emitWithAck(String id, String event, Object... args) {
        return emitWithAck(DEFAULT_ACK_TIMEOUT, id, event, args);
    }

    /**
     * Emits via {@code socket.timeout(timeout).emit(event, ...args, callback)}. The future completes with the ack
     * arguments, or exceptionally with a {@link TimeoutException} when the client-side timeout fires, or with an
     * {@link IllegalStateException} when the driver rejects the command (unknown id, ...) or exits.
     */
    public CompletableFuture<List<JsonNode>> emitWithAck(Duration timeout, String id, String event, Object... args) {
        long ref = nextRef.getAndIncrement();
        CompletableFuture<List<JsonNode>> future = new CompletableFuture<>();
        pendingAcks.put(ref, new PendingAck(id, event, future));
        ObjectNode cmd = command("emit", id);
        cmd.put("event", event);
        cmd.set("args", MAPPER.valueToTree(Arrays.asList(args)));
        cmd.put("ack", true);
        cmd.put("ref", ref);
        cmd.put("timeoutMs", timeout.toMillis());
        try {
            send(cmd);
        } catch (RuntimeException e) {
            pendingAcks.remove(ref);
            throw e;
        }
        return future;
    }

    /** Answers a server emit that asked for an ack (its event line carries {@code "ackId"}). */
    public void answerAck(String id, long ackId, Object... args) {
        ObjectNode cmd = command("ack", id);
        cmd.put("ackId", ackId);
        cmd.set("args", MAPPER.valueToTree(Arrays.asList(args)));
        send(cmd);
    }

    /** Client-side disconnect ({@code socket.disconnect()}); a {@code disconnect} line follows. */
    public void disconnect(String id) {
        send(command("disconnect", id));
    }

    /**
     * The HTTP requests the driver's clients made so far, counted in the driver where they go out.
     *
     * @param withoutSid requests with no {@code sid} in their query string: handshakes
     * @param bySid the others, by their {@code sid} (each long-polling GET and POST, each WebSocket upgrade)
     */
    public record RequestCounts(long withoutSid, Map<String, Long> bySid) {
    }

    /** Asks the driver how many HTTP requests its clients made so far. */
    public RequestCounts requestCounts() {
        long ref = nextRef.getAndIncrement();
        ObjectNode cmd = MAPPER.createObjectNode();
        cmd.put("cmd", "requests");
        cmd.put("ref", ref);
        send(cmd);
        JsonNode line = awaitEvent("the request counts", candidate -> "requests".equals(candidate.path("type").asText())
                && candidate.path("ref").asLong() == ref, DEFAULT_TIMEOUT);
        Map<String, Long> bySid = new HashMap<>();
        line.path("bySid").fields().forEachRemaining(entry -> bySid.put(entry.getKey(), entry.getValue().asLong()));
        return new RequestCounts(line.path("withoutSid").asLong(), Map.copyOf(bySid));
    }

    // ------------------------------------------------------------------ waiting

    /** Like {@link #awaitEvent(String, Predicate, Duration)} with a generic description. */
    public JsonNode awaitEvent(Predicate<JsonNode> match, Duration timeout) {
        return awaitEvent("a line matching the predicate", match, timeout);
    }

    /**
     * Returns the first output line matching {@code match} that no earlier await returned, waiting up to
     * {@code timeout} for it to arrive; the line is then consumed.
     *
     * @throws AssertionError on timeout or when the driver has exited, with recent lines and stderr
     */
    public JsonNode awaitEvent(String description, Predicate<JsonNode> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            int scanFrom = 0; // lines below this were already tested against this predicate
            while (true) {
                for (int i = consumed.nextClearBit(scanFrom); i < lines.size(); i = consumed.nextClearBit(i + 1)) {
                    if (match.test(lines.get(i))) {
                        consumed.set(i);
                        return lines.get(i);
                    }
                }
                scanFrom = lines.size();
                if (driverGone) {
                    throw failure("client-driver exited while waiting for " + description);
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw failure("timed out after " + timeout.toMillis() + " ms waiting for " + description);
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw failure("interrupted while waiting for " + description);
                }
            }
        }
    }

    /** Awaits {@code {"type":"connect","id":id,...}}; fails at once if a connect_error for id comes first. */
    public JsonNode awaitConnect(String id) {
        JsonNode line = awaitEvent("connect of " + id, line1 -> isType(line1, id, "connect", "connect_error"),
                DEFAULT_TIMEOUT);
        if (!"connect".equals(line.path("type").asText())) {
            throw failure("expected " + id + " to connect but got " + line);
        }
        return line;
    }

    /** Awaits {@code {"type":"connect_error","id":id,...}}; fails at once if id connects instead. */
    public JsonNode awaitConnectError(String id) {
        JsonNode line = awaitEvent("connect_error of " + id, line1 -> isType(line1, id, "connect", "connect_error"),
                DEFAULT_TIMEOUT);
        if (!"connect_error".equals(line.path("type").asText())) {
            throw failure("expected a connect_error for " + id + " but got " + line);
        }
        return line;
    }

    /** Awaits {@code {"type":"upgrade","id":id,"transport":...}}. */
    public JsonNode awaitUpgrade(String id) {
        return awaitEvent("upgrade of " + id, line -> isType(line, id, "upgrade"), DEFAULT_TIMEOUT);
    }

    /** Awaits {@code {"type":"disconnect","id":id,"reason":...}}. */
    public JsonNode awaitDisconnect(String id) {
        return awaitEvent("disconnect of " + id, line -> isType(line, id, "disconnect"), DEFAULT_TIMEOUT);
    }

    /** Awaits {@code {"type":"event","id":id,"event":eventName,"args":[...]}} and returns that whole line. */
    public JsonNode awaitEvent(String id, String eventName) {
        return awaitEvent(id, eventName, DEFAULT_TIMEOUT);
    }

    public JsonNode awaitEvent(String id, String eventName, Duration timeout) {
        return awaitEvent("event '" + eventName + "' on " + id, line -> isEvent(line, id, eventName), timeout);
    }

    /** Snapshot of every event line for {@code eventName} that {@code id} received so far, consumed or not. */
    public List<JsonNode> received(String id, String eventName) {
        synchronized (lock) {
            return lines.stream().filter(line -> isEvent(line, id, eventName)).toList();
        }
    }

    /** Snapshot of every line the driver printed so far. */
    public List<JsonNode> lines() {
        synchronized (lock) {
            return List.copyOf(lines);
        }
    }

    /** The driver's recent stderr lines. */
    public List<String> stderrTail() {
        synchronized (lock) {
            return List.copyOf(stderrTail);
        }
    }

    // ------------------------------------------------------------------ binary helpers

    /** True for the {@code {"$binary":"<base64>"}} form the driver uses for binary values. */
    public static boolean isBinary(JsonNode node) {
        return node != null && node.isObject() && node.size() == 1 && node.path("$binary").isTextual();
    }

    /** Decodes {@code {"$binary":"<base64>"}}. */
    public static byte[] binary(JsonNode node) {
        if (!isBinary(node)) {
            throw new IllegalArgumentException("not a {\"$binary\": ...} value: " + node);
        }
        return Base64.getDecoder().decode(node.get("$binary").asText());
    }

    // ------------------------------------------------------------------ jsDir

    /**
     * The directory with client-driver.js and node_modules: system property {@value #JS_DIR_PROPERTY} if set,
     * else the first {@code distributor-test-support/target/js} (that has node_modules) found walking up from the
     * working directory.
     */
    public static Path resolveJsDir() {
        return resolveJsDir(System.getProperty(JS_DIR_PROPERTY), Path.of(""));
    }

    static Path resolveJsDir(String configured, Path workingDir) {
        if (configured != null && !configured.isBlank()) {
            Path dir = Path.of(configured).toAbsolutePath();
            if (!Files.isRegularFile(dir.resolve(DRIVER)) || !Files.isDirectory(dir.resolve("node_modules"))) {
                throw new IllegalStateException("-D" + JS_DIR_PROPERTY + "=" + configured + " does not hold " + DRIVER
                        + " and node_modules; build distributor-test-support first (mvn -pl distributor-test-support"
                        + " install runs npm ci).");
            }
            return dir;
        }
        Path start = workingDir.toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(JS_DIR_BELOW_ROOT);
            if (Files.isDirectory(candidate.resolve("node_modules")) && Files.isRegularFile(candidate.resolve(DRIVER))) {
                return candidate;
            }
        }
        throw new IllegalStateException("no " + JS_DIR_BELOW_ROOT + " with node_modules found in " + start
                + " or above it. Run the build first (mvn -pl distributor-test-support install, which copies "
                + DRIVER + " there and runs npm ci), or set -D" + JS_DIR_PROPERTY + "=<dir>.");
    }

    // ------------------------------------------------------------------ lifecycle

    /** Asks the driver to exit, closes its stdin, and kills it (and anything it spawned) if it lingers. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            synchronized (stdin) {
                stdin.write("{\"cmd\":\"exit\"}\n");
                stdin.close();
            }
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        failPendingAcks("NodeClients closed");
    }

    // ------------------------------------------------------------------ internals

    private static ObjectNode command(String cmd, String id) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("cmd", cmd);
        node.put("id", id);
        return node;
    }

    private void send(ObjectNode command) {
        if (closed) {
            throw new IllegalStateException("NodeClients is closed");
        }
        try {
            String json = MAPPER.writeValueAsString(command);
            synchronized (stdin) {
                stdin.write(json);
                stdin.write('\n');
                stdin.flush();
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialize " + command, e);
        } catch (IOException e) {
            throw new IllegalStateException("client-driver is not accepting commands (exited?); stderr:\n"
                    + String.join("\n", stderrTail()), e);
        }
    }

    private static boolean isType(JsonNode line, String id, String... types) {
        if (!id.equals(line.path("id").asText(null))) {
            return false;
        }
        String type = line.path("type").asText();
        return Arrays.asList(types).contains(type);
    }

    private static boolean isEvent(JsonNode line, String id, String eventName) {
        return isType(line, id, "event") && eventName.equals(line.path("event").asText(null));
    }

    private AssertionError failure(String message) {
        String recent;
        String stderr;
        synchronized (lock) {
            recent = lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()).stream()
                    .map(line -> "  " + line).collect(Collectors.joining("\n"));
            stderr = stderrTail.stream().map(line -> "  " + line).collect(Collectors.joining("\n"));
        }
        return new AssertionError(message + "\nrecent driver output (last " + TAIL_LINES + " lines):\n"
                + (recent.isEmpty() ? "  (none)" : recent) + "\ndriver stderr:\n" + (stderr.isEmpty() ? "  (none)" : stderr));
    }

    private void onStdout(String text) {
        JsonNode line;
        try {
            line = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            onStderr("(stdout, not JSON) " + text);
            return;
        }
        synchronized (lock) {
            lines.add(line);
            lock.notifyAll();
        }
        completeAck(line);
    }

    private void completeAck(JsonNode line) {
        JsonNode ref = line.get("ref");
        if (ref == null || !ref.canConvertToLong()) {
            return;
        }
        String type = line.path("type").asText();
        PendingAck pending = pendingAcks.remove(ref.asLong());
        if (pending == null) {
            return;
        }
        switch (type) {
            case "ack" -> {
                List<JsonNode> args = new ArrayList<>();
                line.path("args").forEach(args::add);
                pending.future().complete(List.copyOf(args));
            }
            case "ack_timeout" -> pending.future().completeExceptionally(new TimeoutException(
                    "no ack for '" + pending.event() + "' emitted by " + pending.id() + " within the timeout"));
            default -> pending.future().completeExceptionally(new IllegalStateException(
                    "client-driver rejected emit of '" + pending.event() + "' by " + pending.id() + ": " + line));
        }
    }

    private void onStderr(String text) {
        System.err.println("[client-driver] " + text);
        synchronized (lock) {
            if (stderrTail.size() == TAIL_LINES) {
                stderrTail.removeFirst();
            }
            stderrTail.addLast(text);
            lock.notifyAll();
        }
    }

    private void onStdoutClosed() {
        synchronized (lock) {
            driverGone = true;
            lock.notifyAll();
        }
        failPendingAcks("client-driver exited");
    }

    private void failPendingAcks(String reason) {
        pendingAcks.values().forEach(pending -> pending.future().completeExceptionally(
                new IllegalStateException(reason + " before the ack for '" + pending.event() + "' by " + pending.id())));
        pendingAcks.clear();
    }

    /** Pumps one of the driver's output streams line by line into {@code sink} on a daemon thread. */
    private void startReader(String name, InputStream stream, Consumer<String> sink, Runnable atEnd) {
        Thread thread = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String text;
                while ((text = reader.readLine()) != null) {
                    sink.accept(text);
                }
            } catch (IOException e) {
                onStderr("(" + name + " read failed: " + e + ")");
            } finally {
                atEnd.run();
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static SimpleModule binaryModule() {
        SimpleModule module = new SimpleModule("client-driver-binary");
        module.addSerializer(byte[].class, new StdSerializer<>(byte[].class) {
            @Override
            public void serialize(byte[] value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                writeBinary(value, gen);
            }
        });
        module.addSerializer(ByteBuffer.class, new StdSerializer<>(ByteBuffer.class) {
            @Override
            public void serialize(ByteBuffer value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                ByteBuffer copy = value.duplicate();
                byte[] bytes = new byte[copy.remaining()];
                copy.get(bytes);
                writeBinary(bytes, gen);
            }
        });
        return module;
    }

    private static void writeBinary(byte[] bytes, JsonGenerator gen) throws IOException {
        gen.writeStartObject();
        gen.writeStringField("$binary", Base64.getEncoder().encodeToString(bytes));
        gen.writeEndObject();
    }

    /** Only for diagnostics in test reports. */
    @Override
    public String toString() {
        return "NodeClients[pid " + process.pid() + (closed ? ", closed]" : "]");
    }
}
