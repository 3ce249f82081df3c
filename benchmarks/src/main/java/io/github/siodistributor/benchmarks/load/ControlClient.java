package io.github.siodistributor.benchmarks.load;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** One extra client that asks a Node peer server for its measurements ({@code mem}, {@code received}). */
final class ControlClient implements BenchClient.Listener {

    private final BenchClient client;
    private volatile CompletableFuture<String> answer;

    ControlClient(ClientPool pool, String target) throws Exception {
        this.client = pool.connectAll(1, List.of(target), "/chat", this, 1).get(0);
    }

    /** Emits the event with an ack and returns the ack's JSON arguments. */
    String ask(String event) throws Exception {
        CompletableFuture<String> waiting = new CompletableFuture<>();
        answer = waiting;
        client.channel().eventLoop().execute(() -> {
            client.emitWithAck(Packets.ascii("\"" + event + "\""), new byte[0]);
            client.flush();
        });
        return waiting.get(60, TimeUnit.SECONDS);
    }

    long askNumber(String event, String key) throws Exception {
        String json = ask(event);
        ByteBuf buffer = io.netty.buffer.Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8));
        return key == null ? Long.parseLong(json.replaceAll("[^0-9]", ""))
                : Packets.numberAfter(buffer, 0, Packets.ascii("\"" + key + "\":"));
    }

    @Override
    public void onAck(BenchClient from, long ackId, ByteBuf packet, int dataStart) {
        answer.complete(packet.toString(dataStart, packet.writerIndex() - dataStart, StandardCharsets.UTF_8));
    }
}
