package io.github.siodistributor.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * {@link EngineServer#shutdown}: clients are sent away with Engine.IO's close, the layer above hears the
 * reason, and no new session starts afterwards, even on a connection accepted before.
 */
class EngineServerShutdownTest {

    private final Recorder listener = new Recorder();
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
        assertThat(listener.opens).isEmpty();
        assertThat(engine.sessionCount()).isZero();
    }

    private EmbeddedChannel connection() {
        EmbeddedChannel channel = new EmbeddedChannel();
        engine.initChannel(channel);
        return channel;
    }

    /** Sends one HTTP/1.1 request and returns whatever the server wrote back so far. */
    private static String request(EmbeddedChannel channel, String requestLine, String... headers) {
        StringBuilder request = new StringBuilder(requestLine).append(" HTTP/1.1\r\nHost: localhost\r\n");
        for (String header : headers) {
            request.append(header).append("\r\n");
        }
        channel.writeInbound(Unpooled.copiedBuffer(request.append("\r\n").toString(), StandardCharsets.US_ASCII));
        channel.runPendingTasks();
        return responses(channel);
    }

    private static String responses(EmbeddedChannel channel) {
        StringBuilder written = new StringBuilder();
        for (Object out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
            if (out instanceof ByteBuf buffer) {
                written.append(buffer.toString(StandardCharsets.UTF_8));
                buffer.release();
            }
        }
        return written.toString();
    }

    private static String body(String response) {
        assertThat(response).startsWith("HTTP/1.1 200 OK");
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    private static final class Recorder implements EngineListener {
        final List<String> opens = new CopyOnWriteArrayList<>();
        final List<String> closes = new CopyOnWriteArrayList<>();

        @Override
        public void onOpen(EngineSession session) {
            opens.add(session.id());
        }

        @Override
        public void onMessage(EngineSession session, Frame message) {
        }

        @Override
        public void onClose(EngineSession session, String reason) {
            closes.add(session.id() + " " + reason);
        }
    }
}
