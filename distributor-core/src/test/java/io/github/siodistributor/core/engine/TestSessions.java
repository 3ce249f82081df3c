package io.github.siodistributor.core.engine;

import io.netty.channel.embedded.EmbeddedChannel;

/** Real Engine.IO sessions on an {@link EmbeddedChannel}, for tests of the layers above the engine. */
public final class TestSessions {

    private static final String OPEN_PREFIX = "0{\"sid\":\"";

    private TestSessions() {
    }

    /**
     * A long-polling session opened on {@code channel}, whose event loop (the embedded one, which runs what is
     * executed on it at once) is the session's.
     */
    public static EngineSession open(EmbeddedChannel channel) {
        EngineServer engine = new EngineServer(EngineSettings.defaults(), new EngineConnections.Recorder());
        engine.initChannel(channel);
        String open = EngineConnections.body(EngineConnections.request(channel,
                "GET /socket.io/?EIO=4&transport=polling"));
        return engine.session(open.substring(OPEN_PREFIX.length(), open.indexOf('"', OPEN_PREFIX.length())));
    }
}
