package io.github.siodistributor.benchmarks.load;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Watches what is published on the benchmark's Redis: a pattern subscription to every channel counts the
 * PUBLISHes per channel, and {@code PUBSUB NUMSUB} tells how many subscribers each of those reaches (the
 * exact Redis deliveries, as long as no other pattern subscription matches: {@link #patternSubscriptions}).
 * A few RESP commands over a plain socket; no client library.
 */
public final class RedisProbe implements AutoCloseable {

    private final String host;
    private final int port;
    private final Socket subscriber;
    private final Map<String, LongAdder> published = new ConcurrentHashMap<>();
    private volatile boolean counting;

    public RedisProbe(String host, int port) throws IOException {
        this.host = host;
        this.port = port;
        this.subscriber = new Socket(host, port);
        InputStream in = new BufferedInputStream(subscriber.getInputStream());
        send(subscriber.getOutputStream(), "PSUBSCRIBE", "*");
        readReply(in); // the subscription's confirmation
        Thread reader = new Thread(() -> readMessages(in), "redis-probe");
        reader.setDaemon(true);
        reader.start();
    }

    /** Counts the publishes from now until {@link #stop}. */
    public void start() {
        published.clear();
        counting = true;
    }

    public Map<String, Long> stop() {
        counting = false;
        Map<String, Long> counts = new java.util.TreeMap<>();
        published.forEach((channel, count) -> counts.put(channel, count.sum()));
        return counts;
    }

    /** Subscribers of the channel by name (pattern subscriptions not included). */
    public long subscribers(String channel) throws IOException {
        List<?> reply = (List<?>) command("PUBSUB", "NUMSUB", channel);
        return (Long) reply.get(1);
    }

    /** Distinct patterns subscribed on the server (this probe's {@code *} among them). */
    public long patternSubscriptions() throws IOException {
        return (Long) command("PUBSUB", "NUMPAT");
    }

    private Object command(String... words) throws IOException {
        try (Socket socket = new Socket(host, port)) {
            send(socket.getOutputStream(), words);
            return readReply(new BufferedInputStream(socket.getInputStream()));
        }
    }

    private void readMessages(InputStream in) {
        try {
            while (true) {
                List<?> message = (List<?>) readReply(in);
                if (counting && message.size() == 4 && "pmessage".equals(message.get(0))) {
                    published.computeIfAbsent((String) message.get(2), channel -> new LongAdder()).increment();
                }
            }
        } catch (IOException | RuntimeException e) {
            // closed
        }
    }

    private static void send(OutputStream out, String... words) throws IOException {
        StringBuilder command = new StringBuilder().append('*').append(words.length).append("\r\n");
        for (String word : words) {
            byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
            command.append('$').append(bytes.length).append("\r\n").append(word).append("\r\n");
        }
        out.write(command.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static Object readReply(InputStream in) throws IOException {
        int type = in.read();
        String line = readLine(in);
        switch (type) {
            case '+', '-' -> {
                return line;
            }
            case ':' -> {
                return Long.parseLong(line);
            }
            case '$' -> {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return null;
                }
                byte[] bytes = in.readNBytes(length + 2);
                return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
            }
            case '*' -> {
                int count = Integer.parseInt(line);
                List<Object> items = new ArrayList<>(Math.max(0, count));
                for (int i = 0; i < count; i++) {
                    items.add(readReply(in));
                }
                return items;
            }
            default -> throw new IOException("unexpected RESP reply type " + type);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            line.append((char) c);
        }
        in.read(); // '\n'
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        subscriber.close();
    }
}
