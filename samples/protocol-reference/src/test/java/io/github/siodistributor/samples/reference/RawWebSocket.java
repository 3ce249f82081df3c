package io.github.siodistributor.samples.reference;

import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A WebSocket of the JDK that speaks no protocol of its own: what the server sends is queued as it
 * comes (text, binary, and finally the close), and the test takes it out with deadlines. With
 * {@code autoPong} every Engine.IO ping ({@code "2"}) is answered with a pong ({@code "3"}) as it
 * arrives, so a session stays open however long a test waits; the ping is still queued.
 */
final class RawWebSocket implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** Something the server did on this WebSocket. */
    sealed interface Event permits Text, Binary, Closed {
    }

    record Text(String text) implements Event {
    }

    record Binary(byte[] bytes) implements Event {
        @Override
        public String toString() {
            // a large message would bury the failure it is printed in
            return bytes.length <= 32 ? "Binary" + Arrays.toString(bytes) : "Binary[" + bytes.length + " bytes]";
        }
    }

    /** A close frame (with its status) or the connection ending without one (with the error). */
    record Closed(String how) implements Event {
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final boolean autoPong;
    private final List<Event> taken = new ArrayList<>();
    private WebSocket webSocket;
    /** Sends are chained: the JDK refuses a send while the previous one is still under way. */
    private CompletableFuture<WebSocket> lastSend;
    private volatile boolean closed;

    private RawWebSocket(boolean autoPong) {
        this.autoPong = autoPong;
    }

    /** Opens a WebSocket to {@code uri}; fails the test when the server refuses the upgrade. */
    static RawWebSocket open(HttpClient http, URI uri, boolean autoPong) {
        try {
            return connect(http, uri, autoPong).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("WebSocket to " + uri + " was refused: " + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("WebSocket to " + uri + " did not open within " + TIMEOUT, e);
        }
    }

    /** Starts opening a WebSocket; the future fails when the upgrade is refused. */
    static CompletableFuture<RawWebSocket> connect(HttpClient http, URI uri, boolean autoPong) {
        RawWebSocket socket = new RawWebSocket(autoPong);
        return http.newWebSocketBuilder().connectTimeout(TIMEOUT).buildAsync(uri, socket.new Collector())
                .thenApply(webSocket -> socket);
    }

    void sendText(String text) {
        await(send(ws -> ws.sendText(text, true)), "send of " + text);
    }

    void sendBinary(byte... bytes) {
        await(send(ws -> ws.sendBinary(ByteBuffer.wrap(bytes), true)), "send of binary " + bytes.length + " bytes");
    }

    /** The next event, pings included. */
    Event next() {
        return next(TIMEOUT);
    }

    Event next(Duration timeout) {
        try {
            Event event = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (event == null) {
                throw new AssertionError("nothing received within " + timeout + "; received so far: " + taken);
            }
            taken.add(event);
            return event;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The next event that is not a ping. */
    Event nextSkippingPings() {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            Event event = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (!(event instanceof Text text && text.text().equals("2"))) {
                return event;
            }
        }
    }

    /** The next event, which must be a text message (a ping counts). */
    String nextText() {
        return asText(next());
    }

    /** The next text message that is not a ping. */
    String nextTextSkippingPings() {
        return asText(nextSkippingPings());
    }

    /** The next message that is not a ping, which must be binary. */
    byte[] nextBinarySkippingPings() {
        Event event = nextSkippingPings();
        if (event instanceof Binary binary) {
            return binary.bytes();
        }
        throw new AssertionError("expected a binary message but got " + event + "; received so far: " + taken);
    }

    /** Skips whatever comes until the server closes the WebSocket; fails if it stays open for {@code timeout}. */
    void awaitClosed(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long remaining = deadline - System.nanoTime();
            Event event;
            try {
                event = events.poll(Math.max(0, remaining), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            if (event == null) {
                throw new AssertionError("the WebSocket was still open after " + timeout + "; received: " + taken);
            }
            taken.add(event);
            if (event instanceof Closed) {
                return;
            }
        }
    }

    void awaitClosed() {
        awaitClosed(TIMEOUT);
    }

    /** Everything taken out so far, for failure messages. */
    List<Event> received() {
        return List.copyOf(taken);
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        WebSocket ws;
        synchronized (this) {
            ws = webSocket;
        }
        if (ws != null) {
            ws.abort();
        }
    }

    private String asText(Event event) {
        if (event instanceof Text text) {
            return text.text();
        }
        throw new AssertionError("expected a text message but got " + event + "; received so far: " + taken);
    }

    private synchronized CompletableFuture<WebSocket> send(
            Function<WebSocket, CompletableFuture<WebSocket>> action) {
        lastSend = lastSend.exceptionally(error -> webSocket).thenCompose(action);
        return lastSend;
    }

    private static void await(CompletableFuture<?> future, String what) {
        try {
            future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError(what + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError(what + " did not complete within " + TIMEOUT, e);
        }
    }

    /** Reassembles messages that arrive in parts and queues them. */
    private final class Collector implements WebSocket.Listener {

        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

        @Override
        public void onOpen(WebSocket ws) {
            synchronized (RawWebSocket.this) {
                webSocket = ws;
                lastSend = CompletableFuture.completedFuture(ws);
            }
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                String message = text.toString();
                text.setLength(0);
                if (autoPong && message.equals("2")) {
                    send(socket -> socket.sendText("3", true));
                }
                events.add(new Text(message));
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            binary.writeBytes(bytes);
            if (last) {
                events.add(new Binary(binary.toByteArray()));
                binary.reset();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed = true;
            events.add(new Closed("close frame " + statusCode + (reason.isEmpty() ? "" : " " + reason)));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed = true;
            events.add(new Closed("connection ended: " + error));
        }
    }

    /**
     * Fails unless the server refuses to upgrade to a WebSocket at {@code uri}; returns the HTTP status of
     * the refusal.
     */
    static int refusedStatus(HttpClient http, URI uri) {
        try {
            RawWebSocket opened = connect(http, uri, false).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            opened.close();
            throw new AssertionError("the WebSocket upgrade at " + uri + " succeeded");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                return refused.getResponse().statusCode();
            }
            throw new AssertionError("the WebSocket upgrade at " + uri + " failed without an HTTP answer: "
                    + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("the WebSocket upgrade at " + uri + " got no answer within " + TIMEOUT, e);
        }
    }

    /** Fails unless {@code future} (a WebSocket being opened) is refused, or opens and is then closed at once. */
    static void assertRefusedOrClosed(CompletableFuture<RawWebSocket> opening, String what) {
        RawWebSocket socket;
        try {
            socket = opening.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException refused) {
            return;
        } catch (InterruptedException | TimeoutException e) {
            fail(what + ": the upgrade neither succeeded nor failed within " + TIMEOUT);
            return;
        }
        try (socket) {
            socket.awaitClosed();
        }
    }
}
