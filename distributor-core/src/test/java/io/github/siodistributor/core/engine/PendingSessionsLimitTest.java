package io.github.siodistributor.core.engine;

import static io.github.siodistributor.core.engine.EngineConnections.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Sessions opened and not yet used are bounded per server (security review finding: one
 * keep-alive connection opened 7,000 sessions, each keeping its handshake's headers, and ran a 256 MB worker out of
 * memory). A refused handshake is Engine.IO's 403; a session in use, or closed, gives its place back.
 */
class PendingSessionsLimitTest {

    private static final String HANDSHAKE = "GET /socket.io/?EIO=4&transport=polling";

    private final EngineConnections.Recorder listener = new EngineConnections.Recorder();
    private final EngineServer engine = new EngineServer(new EngineSettings(Duration.ofSeconds(25),
            Duration.ofSeconds(20), 1_000_000, Duration.ofSeconds(10), Duration.ofSeconds(45), List.of("*"), 40),
            listener);

    private EmbeddedChannel connection() {
        EmbeddedChannel channel = new EmbeddedChannel();
        engine.initChannel(channel);
        return channel;
    }

    private static boolean opened(String answer) {
        return EngineConnections.body(answer).startsWith("0{\"sid\":\"");
    }

    @Test
    void aSessionInUseOrClosedGivesItsPlaceBack() {
        EmbeddedChannel channel = connection();
        for (int i = 0; i < 40; i++) {
            assertThat(opened(request(channel, HANDSHAKE))).as("one connection may carry many clients' (a proxy)")
                    .isTrue();
        }

        String refused = request(channel, HANDSHAKE);

        assertThat(refused).startsWith("HTTP/1.1 403 ");
        assertThat(refused).endsWith("\r\n\r\n{\"code\":4,\"message\":\"Forbidden\"}");
        assertThat(channel.isOpen()).as("the connection itself may go on").isTrue();
        assertThat(engine.sessionCount()).isEqualTo(40);
        assertThat(engine.refusedSessions()).isEqualTo(1);

        listener.opened.get(0).inUse();
        listener.opened.get(0).inUse(); // once only
        assertThat(opened(request(channel, HANDSHAKE))).as("a place given back by a session in use").isTrue();
        assertThat(request(channel, HANDSHAKE)).startsWith("HTTP/1.1 403 ");
        listener.opened.get(1).close("forced close");
        channel.runPendingTasks();
        assertThat(opened(request(channel, HANDSHAKE))).as("a place given back by a closed session").isTrue();
        assertThat(engine.pendingSessions()).isEqualTo(40);
    }

    @Test
    void theServerKeepsAtMostItsLimitOfUnusedSessionsOverAllConnections() {
        for (int i = 0; i < 20; i++) {
            EmbeddedChannel channel = connection();
            assertThat(opened(request(channel, HANDSHAKE))).isTrue();
            assertThat(opened(request(channel, HANDSHAKE))).isTrue();
        }
        assertThat(engine.pendingSessions()).isEqualTo(40);

        assertThat(request(connection(), HANDSHAKE)).startsWith("HTTP/1.1 403 ");
        String webSocket = request(connection(), "GET /socket.io/?EIO=4&transport=websocket", "Upgrade: websocket",
                "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13");
        assertThat(webSocket).as("a WebSocket handshake too").startsWith("HTTP/1.1 403 ");

        listener.opened.forEach(EngineSession::inUse);
        assertThat(engine.pendingSessions()).isZero();
        assertThat(opened(request(connection(), HANDSHAKE))).isTrue();
        assertThat(engine.sessionCount()).isEqualTo(41);
    }
}
