package io.github.siodistributor.core.engine;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Sends one packet to many sessions (a broadcast): its WebSocket frames are encoded once into one buffer that
 * every WebSocket client gets a view of (no copy, no frame encoding per client), and each event loop gets one
 * task for all of its sessions, which writes to them all and then flushes each, instead of one task, one write
 * and one flush handed over per client. Long-polling sessions queue the frames as usual.
 *
 * <p>Each session's task is queued on its event loop in call order, after whatever was handed to the session
 * before, so a broadcast keeps its place among a socket's packets.
 */
public final class Fanout {

    private Fanout() {
    }

    /**
     * Sends {@code frames} to the session of every recipient; with {@code discardable} (Socket.IO's
     * {@code volatile}) a session that cannot take them at once is skipped and {@code onDiscarded} runs for it.
     */
    public static <T> void send(Collection<T> recipients, Function<? super T, EngineSession> sessionOf,
            List<Frame> frames, boolean discardable, Runnable onDiscarded) {
        if (recipients.isEmpty()) {
            return;
        }
        ByteBuf wire = WebSocketFrames.encode(ByteBufAllocator.DEFAULT, frames);
        try {
            Map<EventLoop, List<EngineSession>> byLoop = new HashMap<>();
            for (T recipient : recipients) {
                EngineSession session = sessionOf.apply(recipient);
                byLoop.computeIfAbsent(session.loop(), loop -> new ArrayList<>()).add(session);
            }
            for (Map.Entry<EventLoop, List<EngineSession>> entry : byLoop.entrySet()) {
                List<EngineSession> group = entry.getValue();
                // a view per session, taken now: the task may run after this method has released its own
                ByteBuf[] views = new ByteBuf[group.size()];
                for (int i = 0; i < views.length; i++) {
                    views[i] = wire.retainedDuplicate();
                }
                Runnable task = () -> write(group, views, frames, discardable, onDiscarded);
                if (entry.getKey().inEventLoop()) {
                    task.run();
                } else {
                    entry.getKey().execute(task);
                }
            }
        } finally {
            wire.release();
        }
    }

    private static void write(List<EngineSession> group, ByteBuf[] views, List<Frame> frames, boolean discardable,
            Runnable onDiscarded) {
        boolean[] written = new boolean[views.length];
        for (int i = 0; i < views.length; i++) {
            written[i] = group.get(i).writeShared(views[i], frames, discardable, onDiscarded);
        }
        for (int i = 0; i < views.length; i++) {
            if (written[i]) {
                group.get(i).flushWebSocket();
            }
        }
    }
}
