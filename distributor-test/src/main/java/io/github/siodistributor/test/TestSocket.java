package io.github.siodistributor.test;

import io.socket.client.Ack;
import io.socket.client.Manager;
import io.socket.client.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.json.JSONObject;
import tools.jackson.databind.JsonNode;

/**
 * One Socket.IO socket of a {@link DistributorTestClient}, connected to one namespace. It records every
 * event it receives; {@link #awaitEvent(String)} returns them one by one, in the order they came, whenever
 * the test asks. Waits fail with an {@link AssertionError} that says what did come.
 */
public final class TestSocket implements AutoCloseable {

    private final String namespace;
    private final Manager connection;
    private final Socket socket;
    private final JsonPayloads payloads;
    private final Duration timeout;
    private final Consumer<TestSocket> opened;

    /**
     * The namespaces of this socket's connection that have a socket (this one's among them), or had one refused:
     * the Java client keeps that socket, with the auth it was refused with, for good.
     */
    private final Set<String> namespacesOpened;
    /** The id the server gave, kept after the disconnect (the client forgets it then). */
    private volatile String id;
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private final CompletableFuture<String> disconnected = new CompletableFuture<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, LinkedBlockingQueue<Received>> unclaimed = new ConcurrentHashMap<>();

    TestSocket(Manager connection, Set<String> namespacesOpened, String namespace, Map<String, String> auth,
            JsonPayloads payloads, Duration timeout, Consumer<TestSocket> opened) {
        if (!namespacesOpened.add(namespace)) {
            // the client keeps one socket per namespace and connection: it would hand out the open one again, and
            // the connect would wait for a CONNECT that never comes
            throw new IllegalArgumentException("this connection has a socket in " + namespace + " already, or had "
                    + "its connect refused (the Java client keeps a refused socket, with its auth): open another "
                    + "connection (DistributorTestClient.connect) for a second one");
        }
        this.namespacesOpened = namespacesOpened;
        this.namespace = namespace;
        this.connection = connection;
        this.payloads = payloads;
        this.timeout = timeout;
        this.opened = opened;
        Manager.Options options = new Manager.Options();
        options.auth = auth == null ? Map.of() : Map.copyOf(auth);
        this.socket = connection.socket(namespace, options);
        socket.on(Socket.EVENT_CONNECT, args -> {
            id = socket.id();
            connected.complete(null);
        });
        socket.on(Socket.EVENT_CONNECT_ERROR, args -> connected.completeExceptionally(
                new ConnectRefusedException(namespace, connectError(args))));
        socket.on(Socket.EVENT_DISCONNECT, args -> disconnected.complete(args.length > 0 ? String.valueOf(args[0]) : ""));
        socket.onAnyIncoming(this::record);
    }

    /** Opens the socket and waits for the server's answer; a refusal throws {@link ConnectRefusedException}. */
    TestSocket open() {
        opened.accept(this);
        socket.connect();
        await(connected, "the connect to " + namespace);
        return this;
    }

    /** The socket id, as the server's {@code socket.id()}; still the same once the socket is disconnected. */
    public String id() {
        return id;
    }

    public String namespace() {
        return namespace;
    }

    public boolean connected() {
        return socket.connected();
    }

    /**
     * Another namespace over this socket's connection (one Engine.IO session), as the JavaScript client
     * multiplexes {@code io(url + "/other")}.
     *
     * @throws IllegalArgumentException when the connection has a socket in {@code otherNamespace} already
     */
    public TestSocket connect(String otherNamespace, Map<String, String> auth) {
        return new TestSocket(connection, namespacesOpened, otherNamespace, auth, payloads, timeout, opened).open();
    }

    /** {@link #connect(String, Map)} without auth. */
    public TestSocket connect(String otherNamespace) {
        return connect(otherNamespace, Map.of());
    }

    /** Emits an event; arguments are converted by the application's Jackson mapper ({@code byte[]} stays binary). */
    public void emit(String event, Object... args) {
        socket.emit(event, toClient(payloads, args));
    }

    /** Emits with an ack and waits for the answer ({@link DistributorTestClient#DEFAULT_TIMEOUT}); fails when none comes in time. */
    public Received emitWithAck(String event, Object... args) {
        return emitWithAck(timeout, event, args);
    }

    /** {@link #emitWithAck(String, Object...)} waiting at most {@code wait}. */
    public Received emitWithAck(Duration wait, String event, Object... args) {
        return await(emitWithAckAsync(event, args), "the ack of '" + event + "'", wait);
    }

    /**
     * Emits with an ack and returns at once: the answer completes the future (which never times out by itself). For
     * a handler that asks this socket something before it answers: the test answers with {@link #awaitEvent} and
     * {@link Received#ack} meanwhile, then takes the answer.
     */
    public CompletableFuture<Received> emitWithAckAsync(String event, Object... args) {
        CompletableFuture<Received> answer = new CompletableFuture<>();
        socket.emit(event, toClient(payloads, args),
                (Ack) answer1 -> answer.complete(received(event, Arrays.asList(answer1), null)));
        return answer;
    }

    /** The next {@code event} this socket received that no earlier call returned, waiting for it if need be. */
    public Received awaitEvent(String event) {
        return awaitEvent(event, timeout);
    }

    public Received awaitEvent(String event, Duration wait) {
        try {
            Received next = queue(event).poll(wait.toMillis(), TimeUnit.MILLISECONDS);
            if (next == null) {
                throw new AssertionError("no '" + event + "' on " + namespace + " within " + wait.toMillis()
                        + " ms; received: " + received);
            }
            return next;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for '" + event + "'", e);
        }
    }

    /**
     * Fails when an {@code event} that no earlier call returned arrives within {@code during}; waits that long
     * otherwise. Where the server's order allows it, prefer a round trip after the emit that must not arrive (an ack
     * of this socket comes after what the server sent it before): it proves the same without the wait.
     */
    public void expectNoEvent(String event, Duration during) {
        try {
            Received unexpected = queue(event).poll(during.toMillis(), TimeUnit.MILLISECONDS);
            if (unexpected != null) {
                throw new AssertionError("'" + event + "' on " + namespace + " was not expected, but came: "
                        + unexpected);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while watching for '" + event + "'", e);
        }
    }

    /** Every {@code event} received so far, awaited or not. */
    public List<Received> received(String event) {
        return received.stream().filter(r -> r.event().equals(event)).toList();
    }

    /** Waits until the server ends this socket and returns the reason the client gives. */
    public String awaitDisconnect() {
        return awaitDisconnect(timeout);
    }

    /** {@link #awaitDisconnect()} waiting at most {@code wait}. */
    public String awaitDisconnect(Duration wait) {
        return await(disconnected, "the disconnect of " + namespace, wait);
    }

    /** Disconnects this socket (the client's {@code socket.disconnect()}), leaving the connection's others. */
    public void disconnect() {
        socket.disconnect();
    }

    /**
     * Disconnects this socket and returns once the client has closed it (the Java client closes it on its own
     * thread, after {@code disconnect()} has returned); the connection closes with its last socket.
     */
    @Override
    public void close() {
        boolean wasConnected = socket.connected();
        socket.disconnect();
        if (wasConnected) {
            await(disconnected, "the close of " + namespace + " on the client's side");
        }
    }

    private void record(Object... eventAndArgs) {
        String event = String.valueOf(eventAndArgs[0]);
        List<Object> args = new ArrayList<>(Arrays.asList(eventAndArgs).subList(1, eventAndArgs.length));
        Ack ack = !args.isEmpty() && args.get(args.size() - 1) instanceof Ack last ? last : null;
        if (ack != null) {
            args.remove(args.size() - 1);
        }
        Received event1 = received(event, args, ack);
        received.add(event1);
        queue(event).add(event1);
    }

    /** The server's {@code {message, data}}, or the transport's failure in the same shape. */
    private JsonNode connectError(Object[] args) {
        if (args.length > 0 && args[0] instanceof JSONObject error) {
            return payloads.fromClient(error);
        }
        JSONObject failure = new JSONObject();
        JsonPayloads.put(failure, "message", args.length > 0 ? String.valueOf(args[0]) : "connect_error");
        return payloads.fromClient(failure);
    }

    private Received received(String event, List<Object> args, Ack ack) {
        return new Received(event, args.stream().map(payloads::fromClient).toList(), ack, payloads);
    }

    private LinkedBlockingQueue<Received> queue(String event) {
        return unclaimed.computeIfAbsent(event, name -> new LinkedBlockingQueue<>());
    }

    static Object[] toClient(JsonPayloads payloads, Object[] args) {
        return Arrays.stream(args).map(payloads::toClient).toArray();
    }

    private <T> T await(CompletableFuture<T> future, String what) {
        return await(future, what, timeout);
    }

    private static <T> T await(CompletableFuture<T> future, String what, Duration wait) {
        try {
            return future.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(what + " did not come within " + wait.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new AssertionError(what + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + what, e);
        }
    }
}
