package io.github.siodistributor.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * A TCP load balancer on 127.0.0.1 for tests: clients reach "whichever server is alive" through one address.
 * Each accepted connection goes to the next target port, round robin; a target that refuses the connection
 * (its server stopped or was killed) is skipped, as a balancer with health checks would take it out. When a
 * target drops a connection, the client's connection ends the same way.
 *
 * <p>It routes per TCP connection, not per HTTP request: a Socket.IO client behind it must use
 * {@code transports: ["websocket"]}, one connection per session, or its polling requests would be spread over
 * servers that do not know its session.
 */
public final class TcpBalancer implements AutoCloseable {

    private static final int CONNECT_TIMEOUT_MS = 2_000;

    private final ServerSocket listening;
    private final List<Integer> targets;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicLong turnedAway = new AtomicLong();
    /** Every socket still open, both sides of every forwarded connection: {@link #close()} ends them. */
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    /** Every forwarded connection not yet over. */
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final ExecutorService pumps;
    private final Thread acceptor;
    private volatile boolean closed;

    private TcpBalancer(ServerSocket listening, List<Integer> targets) {
        this.listening = listening;
        this.targets = targets;
        AtomicInteger threads = new AtomicInteger();
        this.pumps = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "tcp-balancer-" + listening.getLocalPort() + "-"
                    + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.acceptor = new Thread(this::acceptLoop, "tcp-balancer-" + listening.getLocalPort() + "-accept");
        acceptor.setDaemon(true);
    }

    /** Starts listening on a free port of 127.0.0.1, forwarding to {@code targetPorts} on 127.0.0.1. */
    public static TcpBalancer start(int... targetPorts) {
        if (targetPorts.length == 0) {
            throw new IllegalArgumentException("a balancer needs at least one target port");
        }
        ServerSocket listening;
        try {
            listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException("could not listen for the balancer", e);
        }
        TcpBalancer balancer = new TcpBalancer(listening, IntStream.of(targetPorts).boxed().toList());
        balancer.acceptor.start();
        return balancer;
    }

    public int port() {
        return listening.getLocalPort();
    }

    /** {@code http://127.0.0.1:<port>}, for a Socket.IO client. */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    /**
     * Cuts a forwarded connection without closing it, as a proxy does whose own way to the server is cut while it
     * keeps its clients' connections: from now on what either side sends is dropped, and both TCP connections stay
     * open (TCP keepalive between the client and the balancer goes on being answered).
     *
     * @param targetSidePort the local port of the balancer's connection to the target: the client port the server
     *        sees (Redis's {@code CLIENT LIST} shows it in {@code addr})
     * @return whether such a connection was found
     */
    public boolean silence(int targetSidePort) {
        for (Connection connection : connections) {
            if (connection.target.getLocalPort() == targetSidePort) {
                connection.silenced = true;
                return true;
            }
        }
        return false;
    }

    /** Connections closed at once because no target accepted them. */
    public long turnedAway() {
        return turnedAway.get();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listening.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                // a failed accept (a client that reset at once) says nothing about the next one
                continue;
            }
            open.add(client);
            try {
                pumps.execute(() -> forward(client));
            } catch (RuntimeException e) {
                // rejected: the balancer closes
                closeQuietly(client);
            }
        }
    }

    private void forward(Socket client) {
        Socket target = connectToLiveTarget();
        if (target == null) {
            turnedAway.incrementAndGet();
            closeQuietly(client);
            return;
        }
        open.add(target);
        if (closed) {
            closeQuietly(client);
            closeQuietly(target);
            return;
        }
        Connection connection = new Connection(client, target);
        connections.add(connection);
        try {
            pumps.execute(() -> connection.pump(target, client));
        } catch (RuntimeException e) {
            connection.closeBoth();
            return;
        }
        connection.pump(client, target);
    }

    /** The next target in turn that accepts a connection, or null when none does. */
    private Socket connectToLiveTarget() {
        for (int attempt = 0; attempt < targets.size() && !closed; attempt++) {
            int port = targets.get(Math.floorMod(next.getAndIncrement(), targets.size()));
            Socket target = new Socket();
            try {
                target.setTcpNoDelay(true);
                target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), CONNECT_TIMEOUT_MS);
                return target;
            } catch (IOException e) {
                closeQuietly(target);
            }
        }
        return null;
    }

    /** Both sides of one forwarded connection; each direction is pumped by its own thread. */
    private final class Connection {
        private final Socket client;
        private final Socket target;
        private final AtomicInteger directionsOpen = new AtomicInteger(2);
        private volatile boolean silenced;

        Connection(Socket client, Socket target) {
            this.client = client;
            this.target = target;
        }

        void pump(Socket from, Socket to) {
            byte[] buffer = new byte[16 * 1024];
            try {
                from.setTcpNoDelay(true);
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int read;
                while ((read = in.read(buffer)) != -1) {
                    if (!silenced) {
                        out.write(buffer, 0, read);
                        out.flush();
                    }
                }
                if (silenced) {
                    // the end is not passed on either: the server keeps its side, as behind a cut
                    closeQuietly(from);
                    return;
                }
                // an orderly end in one direction is passed on as such: the other direction may still carry
                // the last bytes (a WebSocket close handshake, a final HTTP response)
                to.shutdownOutput();
                if (directionsOpen.decrementAndGet() == 0) {
                    closeBoth();
                }
            } catch (IOException e) {
                // a reset (a killed server) or a socket closed under us: the whole connection is over
                closeBoth();
            }
        }

        void closeBoth() {
            connections.remove(this);
            closeQuietly(client);
            closeQuietly(target);
        }
    }

    private void closeQuietly(Socket socket) {
        open.remove(socket);
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing is all that is wanted
        }
    }

    /** Stops listening and ends every forwarded connection. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            listening.close();
        } catch (IOException ignored) {
            // the accept loop ends either way
        }
        List.copyOf(open).forEach(this::closeQuietly);
        pumps.shutdownNow();
        try {
            acceptor.join(TimeUnit.SECONDS.toMillis(5));
            if (!pumps.awaitTermination(5, TimeUnit.SECONDS)) {
                throw new IllegalStateException("balancer threads still running 5 s after close");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Only for diagnostics in test reports. */
    @Override
    public String toString() {
        return "TcpBalancer[" + port() + " -> " + targets + (closed ? ", closed]" : "]");
    }
}
