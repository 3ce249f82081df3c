package io.github.siodistributor.benchmarks.load;

import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Room fan-out: every client joins one room, then one of them says {@code messages} numbered messages to it at
 * a fixed pace; each client checks it gets every number once, in order. Measures deliveries per second (first
 * say to last delivery) and the CPU per delivery of every server process over the same span. {@code warmup}
 * messages go first, unmeasured, so that the span sees a server whose hot path is compiled already.
 */
final class BroadcastScenario implements BenchClient.Listener {

    private static final byte[] JOIN = Packets.ascii("\"join\"");
    private static final byte[] SAY = Packets.ascii("\"say\"");
    private static final byte[] SAID = Packets.ascii("[\"said\",");
    private static final byte[] TEXT_KEY = Packets.ascii("\"text\":");
    private static final String ROOM = "bench";

    private int[] nextExpected;
    private CountDownLatch joined;
    private volatile CountDownLatch delivered;
    private final AtomicLong deliveries = new AtomicLong();
    private final AtomicLong outOfOrder = new AtomicLong();
    private volatile long lastDelivery;

    Result run(Options options) throws Exception {
        int clients = options.integer("clients", 1000);
        int messages = options.integer("messages", 200);
        int sayRate = options.integer("say-rate", 50);
        int warmup = options.integer("warmup", 0);
        ServerProcesses processes = new ServerProcesses(options.string("pids", ""));
        nextExpected = new int[clients];
        joined = new CountDownLatch(clients);
        try (ClientPool pool = new ClientPool(options.integer("threads", 1))) {
            List<BenchClient> connected = pool.connectAll(clients, options.list("targets", "127.0.0.1:9092"),
                    "/chat", this, 100);
            byte[] room = Packets.ascii("\"" + ROOM + "\"");
            for (BenchClient client : connected) {
                client.channel().eventLoop().execute(() -> {
                    client.emitWithAck(JOIN, room);
                    client.flush();
                });
            }
            if (!joined.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException(joined.getCount() + " clients did not get their join acked");
            }
            BenchClient speaker = connected.get(0);
            if (warmup > 0 && !speak(speaker, 0, warmup, sayRate, clients)) {
                throw new IllegalStateException(delivered.getCount() + " warm-up deliveries did not arrive");
            }
            deliveries.set(0);
            Map<String, Long> cpuBefore = processes.cpuMicros();
            long start = System.nanoTime();
            boolean complete = speak(speaker, warmup, messages, sayRate, clients);
            Map<String, Long> cpuAfter = processes.cpuMicros();
            long total = deliveries.get();
            double seconds = (lastDelivery - start) / 1e9;
            return new Result()
                    .put("clients", clients)
                    .put("messages", messages)
                    .put("sayRate", sayRate)
                    .put("deliveries", total)
                    .put("expected", (long) clients * messages)
                    .put("complete", complete)
                    .put("outOfOrder", outOfOrder.get())
                    .put("deliveriesPerSecond", Result.round(total / seconds))
                    .cpuPer(cpuBefore, cpuAfter, total);
        }
    }

    /** Says the numbers {@code first} to {@code first + count - 1} at {@code sayRate}; true once all arrived. */
    private boolean speak(BenchClient speaker, int first, int count, int sayRate, int clients)
            throws InterruptedException {
        delivered = new CountDownLatch(clients * count);
        int[] next = {first};
        ScheduledFuture<?> speaking = speaker.channel().eventLoop().scheduleAtFixedRate(() -> {
            if (next[0] < first + count) {
                speaker.emitWithAck(SAY, Packets.ascii("{\"room\":\"" + ROOM + "\",\"text\":\"" + next[0]++
                        + "\"}"));
                speaker.flush();
            }
        }, 0, 1_000_000_000L / sayRate, TimeUnit.NANOSECONDS);
        try {
            return delivered.await(count / sayRate + 60L, TimeUnit.SECONDS);
        } finally {
            speaking.cancel(false);
        }
    }

    @Override
    public void onAck(BenchClient client, long ackId, ByteBuf packet, int dataStart) {
        if (ackId == 0) {
            joined.countDown(); // each client's first ack answers its join
        }
    }

    @Override
    public void onEvent(BenchClient client, ByteBuf packet, Packets.Parsed parsed) {
        if (!startsWith(packet, parsed.dataStart, SAID)) {
            return;
        }
        long number = Packets.numberAfter(packet, parsed.dataStart + SAID.length, TEXT_KEY);
        if (number == nextExpected[client.index()]) {
            nextExpected[client.index()]++;
        } else {
            outOfOrder.incrementAndGet();
        }
        deliveries.incrementAndGet();
        lastDelivery = System.nanoTime();
        delivered.countDown();
    }

    private static boolean startsWith(ByteBuf packet, int from, byte[] prefix) {
        if (packet.writerIndex() - from < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (packet.getByte(from + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
