package io.github.siodistributor.core.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.core.engine.RequestDeadline;
import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.WorkerAddress;
import io.github.siodistributor.core.protocol.WorkerRun;
import io.github.siodistributor.core.transport.TestConnectionFactories;
import io.github.siodistributor.core.transport.WorkerDirectory;
import io.github.siodistributor.core.transport.WorkerLeases;
import io.github.siodistributor.testsupport.TestRedis;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The gateway holds a client's request to the same deadlines as a worker does (Node's, shortened here): a request
 * trickled in a byte at a time is closed at its deadline though the idle timeout never comes, while a WebSocket piped
 * to its worker is not a request and talks on past them.
 */
class GatewayRequestDeadlineTest {

    private static final RequestDeadline SHORT = new RequestDeadline(Duration.ofMillis(500), Duration.ofSeconds(1));
    private static final Duration TRICKLE = Duration.ofMillis(100);
    private static final int READ_TIMEOUT_MILLIS = 10_000;

    private final TestRedis redis = TestRedis.startNew();
    private final LettuceConnectionFactory factory = TestConnectionFactories.startedFor(redis);
    private final ScheduledExecutorService trickler = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService workerThreads = Executors.newCachedThreadPool();
    private ServerSocket worker;
    private WorkerLeases.Lease lease;
    private DistributorGateway gateway;

    @BeforeEach
    void start() throws IOException {
        worker = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        workerThreads.execute(this::acceptUpgrades);
        ChannelNames names = new ChannelNames("deadline");
        lease = new WorkerLeases(factory, names).acquire(new WorkerRun("w1", "thisRun1"), Duration.ofSeconds(30),
                loss -> { });
        lease.report(new WorkerAddress("127.0.0.1", worker.getLocalPort()), () -> 0);
        // an idle timeout far longer than the test: only the deadlines can close these connections
        gateway = new DistributorGateway(new GatewaySettings("127.0.0.1", 0, Balancing.ROUND_ROBIN,
                Duration.ofMillis(100), Duration.ofSeconds(5), 1_000_000, Duration.ofMinutes(5), null),
                new WorkerDirectory(factory, names), SHORT);
        gateway.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> gateway.workers().size() == 1);
    }

    @AfterEach
    void stop() throws IOException {
        trickler.shutdownNow();
        gateway.close();
        worker.close();
        workerThreads.shutdownNow();
        lease.close();
        factory.destroy();
        redis.stop();
    }

    @Test
    void aRequestTrickledInIsClosedAtItsDeadline() throws IOException {
        try (Socket client = connect()) {
            OutputStream out = client.getOutputStream();
            out.write("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            trickle(out);

            assertThat(readUntilClosed(client.getInputStream()))
                    .as("the gateway closes the connection once the headers are late (nothing is answered)").isEmpty();
        }
    }

    @Test
    void aWebSocketPipedToItsWorkerTalksOnPastTheDeadlines() throws IOException {
        try (Socket client = connect()) {
            OutputStream out = client.getOutputStream();
            out.write(("GET /socket.io/?EIO=4&transport=websocket&sid=w1.thisRun1abcdefghijkl HTTP/1.1\r\n"
                    + "Host: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = client.getInputStream();
            assertThat(readHead(in)).startsWith("HTTP/1.1 101 ");

            // three times the whole request's deadline, a byte at a time, each echoed by the worker through the pipe
            int bytes = (int) (SHORT.whole().multipliedBy(3).toMillis() / TRICKLE.toMillis());
            trickle(out);
            for (int i = 0; i < bytes; i++) {
                assertThat(in.read()).as("echo of byte %d of %d", i + 1, bytes).isEqualTo('x');
            }
        }
    }

    private Socket connect() throws IOException {
        Socket client = new Socket(InetAddress.getLoopbackAddress(), gateway.port());
        client.setSoTimeout(READ_TIMEOUT_MILLIS);
        return client;
    }

    /** A byte every {@link #TRICKLE}, until the connection fails: slower than any deadline, faster than idle. */
    private void trickle(OutputStream out) {
        trickler.scheduleWithFixedDelay(() -> {
            try {
                out.write('x');
                out.flush();
            } catch (IOException closed) {
                throw new IllegalStateException(closed);
            }
        }, TRICKLE.toMillis(), TRICKLE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** What the gateway sends before it closes the connection; fails when it is still open after the read timeout. */
    private static String readUntilClosed(InputStream in) throws IOException {
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        try {
            for (int b = in.read(); b >= 0; b = in.read()) {
                read.write(b);
            }
        } catch (SocketTimeoutException stillOpen) {
            throw new AssertionError("the connection is still open after " + READ_TIMEOUT_MILLIS + " ms", stillOpen);
        } catch (IOException reset) {
            // closed with unread bytes in the gateway's buffer: a reset, as good as a close here
        }
        return read.toString(StandardCharsets.US_ASCII);
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("closed before the end of the head: " + head);
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /** The fake worker: switches every connection to WebSocket, then echoes whatever comes. */
    private void acceptUpgrades() {
        while (!worker.isClosed()) {
            try {
                Socket connection = worker.accept();
                workerThreads.execute(() -> echoAfterUpgrade(connection));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private static void echoAfterUpgrade(Socket connection) {
        try (connection) {
            readHead(connection.getInputStream());
            OutputStream out = connection.getOutputStream();
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            connection.getInputStream().transferTo(out);
        } catch (IOException | AssertionError gone) {
            // the test is over, or the gateway closed the connection
        }
    }
}
