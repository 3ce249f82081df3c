package io.github.siodistributor.core.engine;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An Engine.IO v4 server as Netty handlers: HTTP long-polling and WebSocket on the path
 * {@code /socket.io/}, sessions with heartbeats, and the upgrade from one transport to the other.
 * The Socket.IO layer above it is an {@link EngineListener}.
 */
public final class EngineServer {

    /** Room for the HTTP headers around a body of {@code maxPayload} bytes. */
    private static final int HTTP_OVERHEAD = 64 * 1024;

    private final EngineSettings settings;
    private final EngineListener listener;
    private final ConcurrentHashMap<String, EngineSession> sessions = new ConcurrentHashMap<>();

    public EngineServer(EngineSettings settings, EngineListener listener) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** Sets up a new connection's pipeline. */
    public void initChannel(Channel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast("httpCodec", new HttpServerCodec());
        pipeline.addLast("httpAggregator", new HttpObjectAggregator(settings.maxPayload() + HTTP_OVERHEAD));
        pipeline.addLast("engineHttp", new EngineHttpHandler(this));
    }

    public EngineSettings settings() {
        return settings;
    }

    EngineListener listener() {
        return listener;
    }

    EngineSession session(String id) {
        return sessions.get(id);
    }

    EngineSession newSession(Channel channel, EngineHandshake handshake) {
        while (true) {
            EngineSession session = new EngineSession(RandomIds.next(), channel.eventLoop(), this, handshake);
            if (sessions.putIfAbsent(session.id(), session) == null) {
                return session;
            }
        }
    }

    void remove(EngineSession session) {
        sessions.remove(session.id(), session);
    }

    public int sessionCount() {
        return sessions.size();
    }

    public Collection<EngineSession> sessions() {
        return List.copyOf(sessions.values());
    }

    /** Closes every session, telling the layer above {@code reason}. */
    public void closeAll(String reason) {
        sessions().forEach(session -> session.close(reason));
    }

}
