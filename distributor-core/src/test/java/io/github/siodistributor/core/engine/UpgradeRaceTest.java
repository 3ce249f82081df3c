package io.github.siodistributor.core.engine;

import static io.github.siodistributor.core.engine.EngineConnections.body;
import static io.github.siodistributor.core.engine.EngineConnections.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A client that sends the upgrade packet and closes its WebSocket at once: with the probe on another event loop
 * than its session, the probe's pipeline may be torn down before the session handles the packet. The session then
 * ends (the client takes itself for upgraded) instead of going on with no way to write, failing every send.
 */
class UpgradeRaceTest {

    private final EngineConnections.Recorder listener = new EngineConnections.Recorder();
    private final EngineServer engine = new EngineServer(EngineSettings.defaults(), listener);

    @Test
    void anUpgradePacketOnAProbeAlreadyGoneEndsTheSession() {
        EmbeddedChannel polling = new EmbeddedChannel();
        engine.initChannel(polling);
        String open = body(request(polling, "GET /socket.io/?EIO=4&transport=polling"));
        EngineSession session = engine.session(open.substring("0{\"sid\":\"".length(),
                open.indexOf('"', "0{\"sid\":\"".length())));
        // a probe whose pipeline has no WebSocket encoder any more, and which is closed
        EmbeddedChannel probe = new EmbeddedChannel();
        assertThat(session.acceptProbe(probe)).isTrue();
        session.onWebSocketText(probe, "2probe".getBytes(StandardCharsets.UTF_8));
        ReferenceCountUtil.release(probe.readOutbound());
        probe.close();

        session.onWebSocketText(probe, "5".getBytes(StandardCharsets.UTF_8));
        session.onWebSocketClosed(probe);
        session.send(Frame.text("4late"));
        polling.runPendingTasks();

        assertThat(session.isOpen()).isFalse();
        assertThat(listener.closeReasons()).containsExactly("transport close");
    }
}
