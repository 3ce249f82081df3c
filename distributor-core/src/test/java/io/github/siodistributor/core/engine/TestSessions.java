package io.github.siodistributor.core.engine;

import io.netty.channel.embedded.EmbeddedChannel;

/**
 * Real Engine.IO sessions on an {@link EmbeddedChannel}, for tests of the layers above the engine. The embedded
 * channel's event loop, which runs at once what is executed on it, is the session's.
 */
public final class TestSessions {

    private static final String OPEN_PREFIX = "0{\"sid\":\"";

    private TestSessions() {
    }

    /** A long-polling session opened on {@code channel}. */
    public static EngineSession open(EmbeddedChannel channel) {
        EngineServer engine = new EngineServer(EngineSettings.defaults(), new EngineConnections.Recorder());
        engine.initChannel(channel);
        String open = EngineConnections.body(EngineConnections.request(channel,
                "GET /socket.io/?EIO=4&transport=polling"));
        return engine.session(open.substring(OPEN_PREFIX.length(), open.indexOf('"', OPEN_PREFIX.length())));
    }

    /** A session opened by a WebSocket on {@code channel}, which is that WebSocket. */
    public static EngineSession openWebSocket(EmbeddedChannel channel) {
        EngineConnections.Recorder recorder = new EngineConnections.Recorder();
        new EngineServer(EngineSettings.defaults(), recorder).initChannel(channel);
        EngineConnections.request(channel, "GET /socket.io/?EIO=4&transport=websocket", "Upgrade: websocket",
                "Connection: Upgrade", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
        return recorder.opened.get(0);
    }
}
