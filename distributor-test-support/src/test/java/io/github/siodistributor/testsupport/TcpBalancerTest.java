package io.github.siodistributor.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The test balancer against plain TCP servers that greet with their name and then echo lines. */
class TcpBalancerTest {

    /** A read deadline: every answer here is immediate unless something is broken. */
    private static final int READ_DEADLINE_MS = 10_000;

    @Test
    void connectionsTakeTheTargetsInTurn() throws Exception {
        try (Target a = new Target("a"); Target b = new Target("b");
                TcpBalancer balancer = TcpBalancer.start(a.port(), b.port())) {
            List<String> greetings = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                try (Client client = new Client(balancer.port())) {
                    greetings.add(client.readLine());
                }
            }
            assertThat(greetings).containsExactly("a", "b", "a", "b");
        }
    }

    @Test
    void bytesFlowBothWaysUntilTheTargetEndsTheConnection() throws Exception {
        try (Target a = new Target("a"); TcpBalancer balancer = TcpBalancer.start(a.port());
                Client client = new Client(balancer.port())) {
            assertThat(client.readLine()).isEqualTo("a");
            client.writeLine("hello");
            assertThat(client.readLine()).isEqualTo("echo hello");
            String large = "x".repeat(200_000);
            client.writeLine(large);
            assertThat(client.readLine()).isEqualTo("echo " + large);

            a.dropConnections();

            assertThat(client.readLine()).as("the client's end after the target dropped it").isNull();
        }
    }

    @Test
    void aSilencedConnectionStaysOpenAndCarriesNothingEitherWay() throws Exception {
        try (Target a = new Target("a"); TcpBalancer balancer = TcpBalancer.start(a.port());
                Client client = new Client(balancer.port())) {
            assertThat(client.readLine()).isEqualTo("a");
            client.writeLine("before");
            assertThat(client.readLine()).isEqualTo("echo before");
            int targetSidePort = a.accepted.iterator().next().getPort();

            assertThat(balancer.silence(0)).as("no connection has that port").isFalse();
            assertThat(balancer.silence(targetSidePort)).isTrue();
            client.writeLine("lost");
            a.sendToAll("late");

            // nothing comes either way, and neither side sees an end (a read that waits out its deadline)
            client.socket.setSoTimeout(500);
            assertThatThrownBy(client::readLine).isInstanceOf(SocketTimeoutException.class);
            assertThat(a.lines).containsExactly("before");
            assertThat(a.accepted).allMatch(socket -> !socket.isClosed());
            try (Client other = new Client(balancer.port())) {
                assertThat(other.readLine()).as("a new connection is not silenced").isEqualTo("a");
            }
        }
    }

    @Test
    void aTargetThatRefusesIsSkippedAndWithoutAnyTheClientIsTurnedAway() throws Exception {
        try (Target a = new Target("a"); Target b = new Target("b");
                TcpBalancer balancer = TcpBalancer.start(a.port(), b.port())) {
            a.close();
            awaitRefused(a.port());
            for (int i = 0; i < 3; i++) {
                try (Client client = new Client(balancer.port())) {
                    assertThat(client.readLine()).isEqualTo("b");
                }
            }
            assertThat(balancer.turnedAway()).isZero();

            b.close();
            awaitRefused(b.port());
            try (Client client = new Client(balancer.port())) {
                assertThat(client.readLine()).as("a connection no target accepts").isNull();
            }
            assertThat(balancer.turnedAway()).isEqualTo(1);
        }
    }

    @Test
    void closeEndsForwardedConnectionsAndStopsListening() throws Exception {
        try (Target a = new Target("a")) {
            TcpBalancer balancer = TcpBalancer.start(a.port());
            try (Client client = new Client(balancer.port())) {
                assertThat(client.readLine()).isEqualTo("a");

                balancer.close();

                assertThat(client.readLineOrReset()).as("the forwarded connection after close").isNull();
            }
            assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), balancer.port()).close())
                    .isInstanceOf(ConnectException.class);
        }
    }

    /** Waits (polling, 10 s at most) until the closed port refuses connections: the JDK may close it lazily. */
    private static void awaitRefused(int port) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try {
                new Socket(InetAddress.getLoopbackAddress(), port).close();
            } catch (IOException refused) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("port " + port + " still accepts connections 10 s after its socket closed");
            }
            Thread.sleep(10);
        }
    }

    /** Greets each connection with its name, then echoes every line as "echo <line>". */
    private static final class Target implements AutoCloseable {
        private final String name;
        private final ServerSocket server;
        private final Set<Socket> accepted = ConcurrentHashMap.newKeySet();
        private final List<String> lines = new CopyOnWriteArrayList<>();

        Target(String name) throws IOException {
            this.name = name;
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread thread = new Thread(this::acceptLoop, "target-" + name);
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    accepted.add(socket);
                    Thread thread = new Thread(() -> serve(socket), "target-" + name + "-conn");
                    thread.setDaemon(true);
                    thread.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket socket) {
            try (socket; BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8))) {
                OutputStream out = socket.getOutputStream();
                out.write((name + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                    out.write(("echo " + line + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            } catch (IOException e) {
                // dropped by the test
            }
        }

        void sendToAll(String line) throws IOException {
            for (Socket socket : accepted) {
                OutputStream out = socket.getOutputStream();
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        }

        void dropConnections() throws IOException {
            for (Socket socket : accepted) {
                socket.close();
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            dropConnections();
        }
    }

    private static final class Client implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;

        Client(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(READ_DEADLINE_MS);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        }

        String readLine() throws IOException {
            return in.readLine();
        }

        /** The next line, or null when the connection ended, in order or by a reset. */
        String readLineOrReset() throws IOException {
            try {
                return in.readLine();
            } catch (SocketException e) {
                return null;
            }
        }

        void writeLine(String line) {
            try {
                OutputStream out = socket.getOutputStream();
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
