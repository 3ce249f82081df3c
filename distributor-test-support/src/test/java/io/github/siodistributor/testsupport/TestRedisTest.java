package io.github.siodistributor.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TestRedisTest {

    @Test
    void startsStopsAndRestartsOnTheSamePort() throws Exception {
        try (TestRedis redis = TestRedis.startNew()) {
            assertThat(redis.port()).isNotEqualTo(FreePorts.CONVENIENCE_REDIS_PORT);
            assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + redis.port());
            assertThat(redis.isRunning()).isTrue();
            assertThat(ping(redis.port())).isEqualTo("+PONG");

            redis.stop();
            assertThat(redis.isRunning()).isFalse();
            assertThatThrownBy(() -> ping(redis.port())).isInstanceOf(ConnectException.class);

            redis.start();
            assertThat(ping(redis.port())).isEqualTo("+PONG");
        }
    }

    @Test
    void cuttingSubscribersKillsThemAndKeepsNewConnectionsOutUntilAdmitted() throws Exception {
        try (TestRedis redis = TestRedis.startNew();
                Socket subscriber = new Socket();
                Socket publisher = new Socket()) {
            subscriber.connect(new InetSocketAddress("127.0.0.1", redis.port()), 2000);
            subscriber.setSoTimeout(5000);
            subscriber.getOutputStream().write("SUBSCRIBE news\r\n".getBytes(StandardCharsets.US_ASCII));
            BufferedReader subscribed = new BufferedReader(new InputStreamReader(subscriber.getInputStream(),
                    StandardCharsets.US_ASCII));
            assertThat(subscribed.readLine()).isEqualTo("*3");
            publisher.connect(new InetSocketAddress("127.0.0.1", redis.port()), 2000);
            publisher.setSoTimeout(5000);

            assertThat(redis.cutSubscribers()).isEqualTo(1);

            // the subscriber's connection is gone (its stream ends; a live one would time out), the publisher's is
            // not, and nobody new gets in
            while (subscribed.readLine() != null) {
                // the rest of the SUBSCRIBE reply
            }
            publisher.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(new BufferedReader(new InputStreamReader(publisher.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine()).isEqualTo("+PONG");
            assertThat(ping(redis.port())).startsWith("-ERR max number of clients");

            redis.admitClients();
            assertThat(ping(redis.port())).isEqualTo("+PONG");
        }
    }

    @Test
    void freePortsAreBindableAndNeverTheConvenienceRedis() throws Exception {
        int port = FreePorts.find();
        assertThat(port).isPositive().isNotEqualTo(FreePorts.CONVENIENCE_REDIS_PORT);
        try (java.net.ServerSocket socket = new java.net.ServerSocket(port)) {
            assertThat(socket.getLocalPort()).isEqualTo(port);
        }
    }

    /** Minimal RESP inline command, so this module needs no Redis client library. */
    private static String ping(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }
}
