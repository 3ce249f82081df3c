package io.github.siodistributor.test;

import io.github.siodistributor.core.worker.DistributorWorker;
import io.socket.client.IO;
import io.socket.client.Manager;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Socket.IO client (the Java client, {@code io.socket:socket.io-client}) pointed at the worker a
 * {@link DistributorTest} started; inject it into the test. Each {@link #connect} opens a new connection,
 * as a new browser tab would; {@link TestSocket#connect(String)} adds a namespace to an open one. Payloads
 * are converted with the application's own {@link JsonMapper}. The sockets it opened are disconnected after
 * each test method.
 */
public class DistributorTestClient implements DisposableBean {

    /** How long waits for a connect, an ack or an event last unless the call says otherwise. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

    private final DistributorWorker worker;
    private final JsonPayloads payloads;
    private final List<TestSocket> sockets = new CopyOnWriteArrayList<>();

    public DistributorTestClient(DistributorWorker worker, ObjectProvider<JsonMapper> mapper) {
        this.worker = worker;
        this.payloads = new JsonPayloads(mapper.getIfAvailable(JsonMapper::new));
    }

    /** The worker's address, {@code http://127.0.0.1:<port>}, for other clients. */
    public String url() {
        return "http://127.0.0.1:" + worker.port();
    }

    /** A new connection with a socket in {@code namespace}, once connected; see {@link #connect(String, Map)}. */
    public TestSocket connect(String namespace) {
        return connect(namespace, Map.of());
    }

    /**
     * A new connection (the client's default transports: long-polling, then WebSocket; no reconnection) with
     * a socket in {@code namespace} whose handshake carries {@code auth}, once the server accepted it.
     *
     * @throws ConnectRefusedException when the server answers {@code connect_error}
     * @throws AssertionError when it does not answer within {@link #DEFAULT_TIMEOUT}
     */
    public TestSocket connect(String namespace, Map<String, String> auth) {
        return connect(namespace, ConnectOptions.auth(auth == null ? Map.of() : auth));
    }

    /**
     * As {@link #connect(String, Map)}, with the query parameters and headers of {@code handshake} on the
     * connection's requests besides its auth: for handlers that read {@code Handshake.query} or {@code headers}.
     */
    public TestSocket connect(String namespace, ConnectOptions handshake) {
        IO.Options options = new IO.Options();
        options.forceNew = true;
        options.reconnection = false;
        if (!handshake.query().isEmpty()) {
            options.query = handshake.query().entrySet().stream()
                    .map(parameter -> encoded(parameter.getKey()) + "=" + encoded(parameter.getValue()))
                    .collect(Collectors.joining("&"));
        }
        options.extraHeaders = handshake.headers();
        Manager connection = new Manager(URI.create(url()), options);
        return new TestSocket(connection, ConcurrentHashMap.newKeySet(), namespace, handshake.auth(), payloads,
                DEFAULT_TIMEOUT, sockets::add).open();
    }

    private static String encoded(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /**
     * Disconnects every socket this client opened (their connections close with them) and returns once the client
     * has closed each of them.
     */
    public void disconnectAll() {
        // every socket is closed and forgotten even when one fails to close in time: none may leak into the next
        // test of a cached context; the first failure is thrown once all are done
        RuntimeException failed = null;
        AssertionError notClosed = null;
        for (TestSocket socket : sockets) {
            try {
                socket.close();
            } catch (AssertionError e) {
                notClosed = notClosed == null ? e : notClosed;
            } catch (RuntimeException e) {
                failed = failed == null ? e : failed;
            }
        }
        sockets.clear();
        if (notClosed != null) {
            throw notClosed;
        }
        if (failed != null) {
            throw failed;
        }
    }

    @Override
    public void destroy() {
        disconnectAll();
    }
}
