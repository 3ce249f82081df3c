package io.github.siodistributor.samples.reference;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The connect timeout closes a connection that joins no namespace in time, and only such a one: as in Socket.IO
 * ({@code client.ts} clears the timer at the first connect), a connection that joined a namespace and then left
 * every namespace stays open, its heartbeat going on.
 */
class ConnectTimeoutTest {

    @AutoClose
    private static ReferenceServer server;
    private static URI webSocket;
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void startServer() {
        server = ReferenceServer.start("--distributor.worker.port=0", "--distributor.worker.connect-timeout=1s",
                "--distributor.worker.ping-interval=300ms",
                // far longer than the tests take: no close of theirs can be a ping timeout
                "--distributor.worker.ping-timeout=10s");
        webSocket = URI.create("ws://127.0.0.1:" + server.port() + "/socket.io/?EIO=4&transport=websocket");
    }

    @Test
    void aConnectionThatJoinsNoNamespaceIsClosedAtTheTimeout() {
        try (RawWebSocket client = RawWebSocket.open(http, webSocket, true)) {
            assertThat(client.nextText()).startsWith("0{");

            client.awaitClosed();
        }
    }

    @Test
    void aConnectionThatJoinedANamespaceOnceOutlivesTheTimeoutWithNone() {
        try (RawWebSocket client = RawWebSocket.open(http, webSocket, true)) {
            assertThat(client.nextText()).startsWith("0{");
            client.sendText("40");
            assertThat(client.nextTextSkippingPings()).startsWith("40{\"sid\":");
            client.sendText("41");

            // six pings 300 ms apart: well past the 1 s timeout, and the connection still open
            int pings = 0;
            while (pings < 6) {
                RawWebSocket.Event event = client.next(Duration.ofSeconds(5));
                assertThat(event).as("after %d pings; received %s", pings, client.received())
                        .isNotInstanceOf(RawWebSocket.Closed.class);
                if (event instanceof RawWebSocket.Text text && text.text().equals("2")) {
                    pings++;
                }
            }
            assertThat(client.isClosed()).isFalse();
        }
    }
}
