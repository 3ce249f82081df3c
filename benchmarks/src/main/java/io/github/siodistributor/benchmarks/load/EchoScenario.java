package io.github.siodistributor.benchmarks.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Round trips at a fixed offered rate (open loop: the next echo leaves on schedule whether or not the last came
 * back): every client emits {@code echo} with an ack in turn; the ack's delay is recorded. After a warm-up, the
 * measurement window counts the acks, their delays and the CPU of every server process.
 */
final class EchoScenario implements BenchClient.Listener {

    private static final byte[] ECHO = Packets.ascii("\"echo\"");
    /** Acks a client may owe before the oldest is taken for lost: far more than any sane backlog at 25/s. */
    private static final int WINDOW = 4096;

    private final Latencies latencies = new Latencies();
    /** Per client, the send time of each ack id still in its window ({@code ackId % WINDOW}). */
    private long[][] sentAt;
    private volatile long measureFrom = Long.MAX_VALUE;
    private volatile long measureUntil = Long.MAX_VALUE;
    private final AtomicLong sentMeasured = new AtomicLong();
    private final AtomicLong ackedMeasured = new AtomicLong();
    private final AtomicLong ackedInWindow = new AtomicLong();
    /** When the latest ack of a measured echo came: the drain is read from it, not from the poll below. */
    private final AtomicLong lastMeasuredAckAt = new AtomicLong(Long.MIN_VALUE);
    private volatile boolean finished;

    Result run(Options options) throws Exception {
        int clients = options.integer("clients", 200);
        int rate = options.integer("rate", 5000);
        int warmupSeconds = options.integer("warmup", 5);
        int seconds = options.integer("seconds", 15);
        ServerProcesses processes = new ServerProcesses(options.string("pids", ""));
        try (ClientPool pool = new ClientPool(options.integer("threads", 1))) {
            sentAt = new long[clients][WINDOW];
            List<BenchClient> connected = pool.connectAll(clients, options.list("targets", "127.0.0.1:9092"),
                    "/chat", this, 100);
            Map<EventLoop, List<BenchClient>> byLoop = new LinkedHashMap<>();
            for (BenchClient client : connected) {
                byLoop.computeIfAbsent(client.channel().eventLoop(), loop -> new ArrayList<>()).add(client);
            }
            long start = System.nanoTime();
            List<ScheduledFuture<?>> senders = new ArrayList<>();
            for (Map.Entry<EventLoop, List<BenchClient>> entry : byLoop.entrySet()) {
                double perNano = rate * (double) entry.getValue().size() / clients / 1e9;
                senders.add(entry.getKey().scheduleAtFixedRate(new Sender(entry.getValue(), perNano, start), 0, 1,
                        TimeUnit.MILLISECONDS));
            }
            Thread.sleep(warmupSeconds * 1000L);
            Map<String, Long> cpuBefore = processes.cpuMicros();
            measureFrom = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            measureUntil = System.nanoTime();
            Map<String, Long> cpuAfter = processes.cpuMicros();
            senders.forEach(sender -> sender.cancel(false));
            // what is still on its way comes back, or is lost: wait while acks keep coming (up to 10 s of silence,
            // 2 min in all), so that an overloaded server's late acks count as late, not lost, and its backlog
            // drains here rather than under the next scenario
            long lastAcks = -1;
            long lastProgress = System.nanoTime();
            while (ackedMeasured.get() < sentMeasured.get() && System.nanoTime() - measureUntil < 120_000_000_000L
                    && System.nanoTime() - lastProgress < 10_000_000_000L) {
                if (ackedMeasured.get() != lastAcks) {
                    lastAcks = ackedMeasured.get();
                    lastProgress = System.nanoTime();
                }
                Thread.sleep(200);
            }
            double windowSeconds = (measureUntil - measureFrom) / 1e9;
            long acked = ackedInWindow.get();
            finished = true;
            return new Result()
                    .put("clients", clients)
                    .put("offered", rate)
                    .put("achieved", Result.round(acked / windowSeconds))
                    .put("sent", sentMeasured.get())
                    .put("lost", sentMeasured.get() - ackedMeasured.get())
                    .put("drainSeconds", Result.round(drainNanos() / 1e9))
                    .put("p50", latencies.percentileMillis(0.50))
                    .put("p90", latencies.percentileMillis(0.90))
                    .put("p99", latencies.percentileMillis(0.99))
                    .put("max", latencies.maxMillis())
                    .cpuPer(cpuBefore, cpuAfter, acked);
        }
    }

    /**
     * How long after the window closed the last measured echo came back (0 when all were back by then); when some
     * never came back, how long the generator waited for them.
     */
    private long drainNanos() {
        if (ackedMeasured.get() < sentMeasured.get()) {
            return System.nanoTime() - measureUntil;
        }
        long lastAck = lastMeasuredAckAt.get();
        return lastAck == Long.MIN_VALUE ? 0 : Math.max(0, lastAck - measureUntil);
    }

    /** Runs every millisecond on one event loop: sends what its share of the rate says is due by now. */
    private final class Sender implements Runnable {
        private final List<BenchClient> clients;
        private final double perNano;
        private final long start;
        private long sent;
        private int next;

        Sender(List<BenchClient> clients, double perNano, long start) {
            this.clients = clients;
            this.perNano = perNano;
            this.start = start;
        }

        @Override
        public void run() {
            long now = System.nanoTime();
            long due = (long) ((now - start) * perNano) - sent;
            boolean measured = now >= measureFrom && now < measureUntil;
            for (long i = 0; i < due; i++) {
                BenchClient client = clients.get(next);
                next = (next + 1) % clients.size();
                long ackId = client.emitWithAck(ECHO, sent);
                // the sign says whether the echo belongs to the measurement window
                sentAt[client.index()][(int) (ackId % WINDOW)] = measured ? now : -now;
                client.flush();
                sent++;
                if (measured) {
                    sentMeasured.incrementAndGet();
                }
            }
        }
    }

    @Override
    public void onAck(BenchClient client, long ackId, ByteBuf packet, int dataStart) {
        long now = System.nanoTime();
        long sent = sentAt[client.index()][(int) (ackId % WINDOW)];
        if (sent > 0) {
            latencies.record(now - sent);
            // before the count: once the poll sees every echo back, the latest ack time is in
            lastMeasuredAckAt.accumulateAndGet(now, Math::max);
            ackedMeasured.incrementAndGet();
        }
        if (now >= measureFrom && now < measureUntil) {
            ackedInWindow.incrementAndGet();
        }
    }

    @Override
    public void onClosed(BenchClient client) {
        if (!finished) {
            System.err.println("client " + client.index() + " was disconnected during the echo scenario");
        }
    }
}
