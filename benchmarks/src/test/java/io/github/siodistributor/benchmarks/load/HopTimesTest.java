package io.github.siodistributor.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The hop analysis on segments written the way the worker, Redis, the backend and the clients write them. */
class HopTimesTest {

    private static final int WORKER = 9000;
    private static final int REDIS = 16379;
    private static final int CLIENT = 50001;
    private static final int OTHER_CLIENT = 50002;
    private static final int WORKER_PUBLISHER = 40001;
    private static final int WORKER_SUBSCRIBER = 40002;
    private static final int BACKEND_PUBLISHER = 40003;
    private static final int BACKEND_SUBSCRIBER = 40004;

    private final HopTimes hops = new HopTimes(Set.of(WORKER), REDIS);

    @Test
    void anEchoThroughWorkerRedisAndBackendGivesFiveHopsAndTheServerSide() {
        connect(CLIENT, "w-1.aaaa");
        echo(CLIENT, "w-1.aaaa", 12, 0);

        assertThat(hops.markdown(15)).isEqualTo("""
                | hop | echoes | p50 ms | p90 ms | p99 ms |
                | --- | --- | --- | --- | --- |
                | client frame -> worker's PUBLISH | 1 | 0.100 | 0.100 | 0.100 |
                | worker's PUBLISH -> delivery to the backend | 1 | 0.200 | 0.200 | 0.200 |
                | delivery to the backend -> backend's PUBLISH | 1 | 0.300 | 0.300 | 0.300 |
                | backend's PUBLISH -> delivery to the worker | 1 | 0.100 | 0.100 | 0.100 |
                | delivery to the worker -> answer to the client | 1 | 0.050 | 0.050 | 0.050 |
                | server side: client frame -> answer | 1 | 0.750 | 0.750 | 0.750 |
                """);
    }

    @Test
    void echoesOfTwoSocketsWithTheSameNumberAndSharingRedisSegmentsAreToldApart() {
        connect(CLIENT, "w-1.aaaa");
        connect(OTHER_CLIENT, "w-1.bbbb");
        hops.segment(micros(1000), CLIENT, WORKER, clientFrame("42/chat,1[\"echo\",7]"));
        hops.segment(micros(1010), OTHER_CLIENT, WORKER, clientFrame("42/chat,1[\"echo\",7]"));
        // one segment from Redis with both deliveries, each number after its socket id
        hops.segment(micros(1500), REDIS, WORKER_SUBSCRIBER, delivery("sio:worker:w-1", "w-1.aaaa", "[7]")
                + delivery("sio:worker:w-1", "w-1.bbbb", "[7]"));
        hops.segment(micros(1600), WORKER, CLIENT, serverFrame("43/chat,1[7]"));
        hops.segment(micros(1700), WORKER, OTHER_CLIENT, serverFrame("43/chat,1[7]"));

        // each socket's echo is whole: had a number gone to the wrong socket, one echo would lack its delivery
        assertThat(hops.markdown(15)).contains("| delivery to the worker -> answer to the client | 2 | 0.200 | 0.200 |")
                .contains("| server side: client frame -> answer | 2 | 0.690 | 0.690 |");
    }

    @Test
    void echoesBeforeTheLastSecondsAreLeftOut() {
        connect(CLIENT, "w-1.aaaa");
        echo(CLIENT, "w-1.aaaa", 1, 0);
        echo(CLIENT, "w-1.aaaa", 2, micros(20_000_000));

        assertThat(hops.markdown(15)).contains("| server side: client frame -> answer | 1 |");
        assertThat(hops.markdown(30)).contains("| server side: client frame -> answer | 2 |");
    }

    @Test
    void aCaptureFileOfTcpdumpIsRead() {
        byte[] frame = serverFrame("40/chat,{\"sid\":\"w-1.aaaa\"}").getBytes(StandardCharsets.ISO_8859_1);
        byte[] question = clientFrame("42/chat,3[\"echo\",5]").getBytes(StandardCharsets.ISO_8859_1);
        byte[] answer = serverFrame("43/chat,3[5]").getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream capture = new ByteArrayOutputStream();
        capture.writeBytes(littleEndian(24).putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0)
                .putInt(0).putInt(262144).putInt(1).array());
        capture.writeBytes(packet(1, 0, WORKER, CLIENT, frame));
        capture.writeBytes(packet(2, 0, CLIENT, WORKER, question));
        capture.writeBytes(packet(2, 250, WORKER, CLIENT, answer));

        hops.readCapture(capture.toByteArray());

        assertThat(hops.markdown(15)).contains("| client frame -> answer to the client | 1 | 0.250 | 0.250 | 0.250 |");
    }

    private void connect(int client, String socketId) {
        hops.segment(0, WORKER, client, serverFrame("40/chat,{\"sid\":\"" + socketId + "\"}"));
    }

    /** One echo's six points, from {@code start} on: hops of 100, 200, 300, 100 and 50 microseconds. */
    private void echo(int client, String socketId, int number, long start) {
        long at = micros(1000) + start;
        hops.segment(at, client, WORKER, clientFrame("42/chat,4[\"echo\"," + number + "]"));
        hops.segment(at + micros(100), WORKER_PUBLISHER, REDIS, publish("sio:instance:b-1", socketId,
                "\u0004echo\u0007[" + number + "]"));
        hops.segment(at + micros(300), REDIS, BACKEND_SUBSCRIBER, delivery("sio:instance:b-1", socketId,
                "\u0004echo\u0007[" + number + "]"));
        hops.segment(at + micros(600), BACKEND_PUBLISHER, REDIS, publish("sio:worker:w-1", socketId,
                "\u00da\u0006\u0007[" + number + "]"));
        hops.segment(at + micros(700), REDIS, WORKER_SUBSCRIBER, delivery("sio:worker:w-1", socketId,
                "\u00da\u0006\u0007[" + number + "]"));
        hops.segment(at + micros(750), WORKER, client, serverFrame("43/chat,4[" + number + "]"));
    }

    private static long micros(long micros) {
        return micros * 1000;
    }

    private static String publish(String channel, String socketId, String rest) {
        String body = "SD\u0001\u0002\u0005/chat" + (char) socketId.length() + socketId + rest;
        return "*3\r\n$7\r\nPUBLISH\r\n$" + channel.length() + "\r\n" + channel + "\r\n$" + body.length() + "\r\n" + body
                + "\r\n";
    }

    private static String delivery(String channel, String socketId, String rest) {
        String body = "SD\u0001\u0002\u0005/chat" + (char) socketId.length() + socketId + rest;
        return ">3\r\n$7\r\nmessage\r\n$" + channel.length() + "\r\n" + channel + "\r\n$" + body.length() + "\r\n" + body
                + "\r\n";
    }

    private static String serverFrame(String text) {
        return "\u0081" + (char) text.length() + text;
    }

    /** A client's frame is masked, as the protocol wants. */
    private static String clientFrame(String text) {
        char[] mask = {0x12, 0x34, 0x56, 0x78};
        StringBuilder frame = new StringBuilder().append('\u0081').append((char) (0x80 | text.length())).append(mask);
        for (int i = 0; i < text.length(); i++) {
            frame.append((char) (text.charAt(i) ^ mask[i & 3]));
        }
        return frame.toString();
    }

    private static ByteBuffer littleEndian(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A record of an Ethernet capture: IPv4 and TCP headers of 20 bytes each, then the payload. */
    private static byte[] packet(int seconds, int micros, int source, int destination, byte[] payload) {
        int length = 14 + 20 + 20 + payload.length;
        ByteBuffer record = littleEndian(16 + length);
        record.putInt(seconds).putInt(micros).putInt(length).putInt(length);
        record.put(new byte[12]).order(ByteOrder.BIG_ENDIAN).putShort((short) 0x0800);
        record.put((byte) 0x45).put(new byte[19]);
        record.putShort((short) source).putShort((short) destination).put(new byte[8]).put((byte) 0x50)
                .put(new byte[7]);
        return record.put(payload).array();
    }
}
