package io.github.siodistributor.benchmarks.micro;

import io.github.siodistributor.core.socketio.InvalidPacketException;
import io.github.siodistributor.core.socketio.SocketIoPacketDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What the worker's reading of one client packet costs on its own, in nanoseconds of one thread, for a few shapes
 * of packet. The echo's CPU per round trip cannot resolve a change of a fraction of a microsecond, this can.
 *
 * <p>Run: {@code java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
 * io.github.siodistributor.benchmarks.micro.PacketDecodeCost [rounds]}; prints a markdown table of the median and the
 * best of the rounds (each round decodes every shape 200,000 times, after as many warm-up rounds).
 */
public final class PacketDecodeCost {

    private static final int DECODES_PER_ROUND = 200_000;

    private record Shape(String name, byte[] packet) {
        Shape(String name, String packet) {
            this(name, packet.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static final Shape[] SHAPES = {
        new Shape("event with ack, object argument (the benchmark's echo)",
                "2/chat,17[\"echo\",{\"id\":12345,\"sentAt\":1733212345678,\"text\":\"hello world\"}]"),
        new Shape("event, two arguments", "2/chat,[\"say\",\"a fairly ordinary chat message of some length\",42]"),
        new Shape("event, 1 KiB string argument", "2/chat,[\"say\",\"" + "x".repeat(1024) + "\"]"),
        new Shape("ack", "3/chat,17[{\"ok\":true,\"n\":4}]"),
    };

    private PacketDecodeCost() {
    }

    public static void main(String[] args) throws InvalidPacketException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        long sink = 0;
        double[][] nanos = new double[SHAPES.length][rounds];
        for (int round = -rounds; round < rounds; round++) {
            for (int s = 0; s < SHAPES.length; s++) {
                byte[] packet = SHAPES[s].packet();
                long start = System.nanoTime();
                for (int i = 0; i < DECODES_PER_ROUND; i++) {
                    sink += SocketIoPacketDecoder.decode(packet).data().length;
                }
                double each = (System.nanoTime() - start) / (double) DECODES_PER_ROUND;
                if (round >= 0) {
                    nanos[s][round] = each;
                }
            }
        }
        System.out.println("| packet | bytes | ns per decode, median | best |");
        System.out.println("| --- | --- | --- | --- |");
        for (int s = 0; s < SHAPES.length; s++) {
            double[] sorted = nanos[s].clone();
            Arrays.sort(sorted);
            System.out.printf("| %s | %d | %.0f | %.0f |%n", SHAPES[s].name(), SHAPES[s].packet().length,
                    sorted[sorted.length / 2], sorted[0]);
        }
        // keeps the decodes from being optimized away
        System.out.println("(checksum " + sink + ")");
    }
}
