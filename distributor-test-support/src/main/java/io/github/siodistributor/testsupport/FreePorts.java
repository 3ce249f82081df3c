package io.github.siodistributor.testsupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ThreadLocalRandom;

/** Finds TCP ports that are free right now, for servers a test starts. */
public final class FreePorts {

    /** Reserved for the developer's own Redis; tests must never touch it. */
    public static final int CONVENIENCE_REDIS_PORT = 6379;

    /*
     * Below Linux's ephemeral range (32768-60999): a port the OS hands out for bind(0) is also where it
     * takes the local ports of outgoing connections, so under load (many clients, parallel builds) such a
     * port was often taken again before the test's server bound it.
     */
    static final int LOWEST = 20_000;
    static final int HIGHEST = 32_767;
    /**
     * Ports handed out lately, not handed out again: a test that picks several ports before it starts the servers
     * that bind them would otherwise get the same one twice now and then.
     */
    static final int REMEMBERED = 256;
    private static final int ATTEMPTS = 1_000;
    private static final Deque<Integer> handedOut = new ArrayDeque<>(REMEMBERED);

    private FreePorts() {
    }

    /**
     * Returns a port that was free on every interface a moment ago and that this JVM did not hand out among its last
     * {@value #REMEMBERED}. There is still a window before the caller binds it, but nothing else picks ports in this
     * range by itself.
     */
    public static synchronized int find() {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, HIGHEST + 1);
            if (port != CONVENIENCE_REDIS_PORT && !handedOut.contains(port) && isFree(port)) {
                if (handedOut.size() == REMEMBERED) {
                    handedOut.removeFirst();
                }
                handedOut.addLast(port);
                return port;
            }
        }
        throw new IllegalStateException("no free port between " + LOWEST + " and " + HIGHEST + " after "
                + ATTEMPTS + " attempts");
    }

    /** Whether a server on this machine accepts connections on {@code port} of 127.0.0.1 (within 2 s). */
    public static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(port), 1);
            return true;
        } catch (IOException taken) {
            return false;
        }
    }
}
