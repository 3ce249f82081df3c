package io.github.siodistributor.core.engine;

import static io.github.siodistributor.core.engine.EngineConnections.body;
import static io.github.siodistributor.core.engine.EngineConnections.request;
import static io.github.siodistributor.core.engine.EngineConnections.responses;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@link EngineServer#shutdown}: clients are sent away with Engine.IO's close, the layer above hears the
 * reason, and no new session starts afterwards, even on a connection accepted before.
 */
class EngineServerShutdownTest {

    private final EngineConnections.Recorder listener = new EngineConnections.Recorder();
    private final EngineServer engine = new EngineServer(EngineSettings.defaults(), listener);

    @Test
    void aParkedPollIsAnsweredWithTheClosePacketAndTheListenerHearsTheReason() {
        EmbeddedChannel channel = connection();
        String open = body(request(channel, "GET /socket.io/?EIO=4&transport=polling"));
        assertThat(open).startsWith("0{\"sid\":\"");
        String sid = open.substring("0{\"sid\":\"".length(), open.indexOf('"', "0{\"sid\":\"".length()));
        assertThat(request(channel, "GET /socket.io/?EIO=4&transport=polling&sid=" + sid)).as("a parked poll").isEmpty();
        assertThat(engine.session(sid).hasParkedPoll()).isTrue();

        CompletableFuture<Void> closed = engine.shutdown("server shutting down");
        channel.runPendingTasks();

        assertThat(closed).isCompleted();
        assertThat(body(responses(channel))).isEqualTo("1");
        assertThat(listener.closes).containsExactly(sid + " server shutting down");
        assertThat(engine.sessionCount()).isZero();
    }

    @Test
    void afterTheShutdownAHandshakeOnAConnectionAcceptedBeforeIsDropped() {
        EmbeddedChannel polling = connection();
        EmbeddedChannel websocket = connection();

        assertThat(engine.shutdown("server shutting down")).isCompleted();
        String answer = request(polling, "GET /socket.io/?EIO=4&transport=polling");
        String upgraded = request(websocket, "GET /socket.io/?EIO=4&transport=websocket", "Upgrade: websocket",
                "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13");

        assertThat(answer).as("an answer to the polling handshake").isEmpty();
        assertThat(polling.isOpen()).isFalse();
        // the WebSocket handshake completes at the HTTP level, then the connection ends without an open packet
        assertThat(upgraded).doesNotContain("0{\"sid\"");
        assertThat(websocket.isOpen()).isFalse();
        assertThat(listener.opened).isEmpty();
        assertThat(engine.sessionCount()).isZero();
    }

    private EmbeddedChannel connection() {
        EmbeddedChannel channel = new EmbeddedChannel();
        engine.initChannel(channel);
        return channel;
    }
}
