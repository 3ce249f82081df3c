package io.github.siodistributor.core.engine;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one packet to many sessions (a broadcast): its WebSocket frames are encoded once into one buffer that
 * every WebSocket client gets a view of (no copy, no frame encoding per client). The sessions of the calling
 * thread's event loop (all of them, when the worker's Redis connections share its one loop) are written at once;
 * every other event loop gets one task for all of its sessions instead of one per client. Long-polling sessions
 * queue the frames as usual.
 *
 * <p>Each session's task is queued on its event loop in call order, after whatever was handed to the session
 * before, so a broadcast keeps its place among a socket's packets.
 */
public final class Fanout {

    private static final Logger log = LoggerFactory.getLogger(Fanout.class);

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
            Map<EventLoop, List<EngineSession>> elsewhere = null;
            for (T recipient : recipients) {
                EngineSession session = sessionOf.apply(recipient);
                if (session.loop().inEventLoop()) {
                    writeTo(session, wire.retainedDuplicate(), frames, discardable, onDiscarded);
                } else {
                    if (elsewhere == null) {
                        elsewhere = new HashMap<>();
                    }
                    elsewhere.computeIfAbsent(session.loop(), loop -> new ArrayList<>()).add(session);
                }
            }
            if (elsewhere != null) {
                elsewhere.forEach((loop, group) -> writeOn(loop, group, wire, frames, discardable, onDiscarded));
            }
        } finally {
            wire.release();
        }
    }

    private static void writeOn(EventLoop loop, List<EngineSession> group, ByteBuf wire, List<Frame> frames,
            boolean discardable, Runnable onDiscarded) {
        // the views are taken now: the task may run after send has released its own reference
        ByteBuf[] views = new ByteBuf[group.size()];
        for (int i = 0; i < views.length; i++) {
            views[i] = wire.retainedDuplicate();
        }
        try {
            loop.execute(() -> {
                for (int i = 0; i < views.length; i++) {
                    writeTo(group.get(i), views[i], frames, discardable, onDiscarded);
                }
            });
        } catch (RejectedExecutionException e) {
            // the loop is shutting down and its sessions with it: nobody to write to, only the views to give back
            for (ByteBuf view : views) {
                view.release();
            }
        }
    }

    /** One session's write: whatever goes wrong there (a bug) costs that session only, not the rest of the group. */
    private static void writeTo(EngineSession session, ByteBuf view, List<Frame> frames, boolean discardable,
            Runnable onDiscarded) {
        try {
            session.writeShared(view, frames, discardable, onDiscarded);
        } catch (RuntimeException e) {
            log.warn("A broadcast could not be written to session {}", session.id(), e);
        }
    }
}
