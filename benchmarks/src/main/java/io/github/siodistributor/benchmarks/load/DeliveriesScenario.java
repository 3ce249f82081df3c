package io.github.siodistributor.benchmarks.load;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What one server-side emit to one socket costs Redis: a client {@code poke}s, and the server emits
 * {@code poked} to that one socket ({@code socket.emit} on a backend; {@code io.to(id).emit} on the Node peer,
 * as a server that does not hold the socket must). Counts the publishes and the deliveries they make: on the
 * distributor from Redis itself (every publish seen by a pattern probe, times the channel's subscribers), on the
 * Node peer from what each server's adapter took from Redis.
 */
final class DeliveriesScenario implements BenchClient.Listener {

    private static final byte[] POKE = Packets.ascii("\"poke\"");
    private static final byte[] HELLO = Packets.ascii("\"hello\"");

    private CountDownLatch poked;

    Result run(Options options) throws Exception {
        int pokes = options.integer("pokes", 200);
        boolean node = options.string("peer", "distributor").equals("node");
        List<String> targets = options.list("targets", "127.0.0.1:9092");
        String[] redis = options.string("redis", "127.0.0.1:6379").split(":");
        poked = new CountDownLatch(pokes);
        try (ClientPool pool = new ClientPool(1);
                RedisProbe probe = new RedisProbe(redis[0], Integer.parseInt(redis[1]))) {
            BenchClient client = pool.connectAll(1, targets, "/chat", this, 1).get(0);
            List<ControlClient> servers = new ArrayList<>();
            if (node) {
                for (String target : targets) {
                    servers.add(new ControlClient(pool, target));
                }
            }
            Thread.sleep(1000);
            long receivedBefore = received(servers);
            probe.start();
            for (int i = 0; i < pokes; i++) {
                client.channel().eventLoop().execute(() -> {
                    client.emit(POKE, HELLO);
                    client.flush();
                });
                Thread.sleep(5);
            }
            boolean complete = poked.await(60, TimeUnit.SECONDS);
            Thread.sleep(500);
            Map<String, Long> published = probe.stop();
            long receivedAfter = received(servers);
            long publishes = 0;
            long emitPublishes = 0;
            long emitDeliveries = 0;
            long allDeliveries = 0;
            for (Map.Entry<String, Long> channel : published.entrySet()) {
                publishes += channel.getValue();
                long deliveries = channel.getValue() * probe.subscribers(channel.getKey());
                allDeliveries += deliveries;
                if (channel.getKey().contains(":worker:")) {
                    emitPublishes += channel.getValue();
                    emitDeliveries += deliveries;
                }
            }
            if (node) {
                // the adapter's channels are pattern subscriptions, which NUMSUB does not see: ask the servers
                emitPublishes = publishes;
                emitDeliveries = receivedAfter - receivedBefore;
                allDeliveries = emitDeliveries;
            }
            return new Result()
                    .put("pokes", pokes)
                    .put("complete", complete)
                    .put("publishesPerPoke", Result.round((double) publishes / pokes))
                    .put("emitPublishesPerPoke", Result.round((double) emitPublishes / pokes))
                    .put("emitDeliveriesPerPoke", Result.round((double) emitDeliveries / pokes))
                    .put("allDeliveriesPerPoke", Result.round((double) allDeliveries / pokes))
                    .put("patternSubscriptions", probe.patternSubscriptions())
                    .put("channels", published.toString());
        }
    }

    private static long received(List<ControlClient> servers) throws Exception {
        long total = 0;
        for (ControlClient server : servers) {
            total += server.askNumber("received", null);
        }
        return total;
    }

    @Override
    public void onEvent(BenchClient client, ByteBuf packet, Packets.Parsed parsed) {
        poked.countDown();
    }
}
