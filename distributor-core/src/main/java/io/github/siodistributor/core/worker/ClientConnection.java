package io.github.siodistributor.core.worker;

import io.github.siodistributor.core.engine.EngineSession;
import io.github.siodistributor.core.socketio.SocketIoPacket;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Socket.IO state of one Engine.IO session: its sockets by namespace and a binary packet whose
 * attachments are still arriving. Touched only on the session's event loop.
 */
final class ClientConnection {

    final EngineSession session;
    final Map<String, WorkerSocket> sockets = new HashMap<>();
    ScheduledFuture<?> connectTimeout;
    private SocketIoPacket partial;
    private List<byte[]> attachments;

    ClientConnection(EngineSession session) {
        this.session = session;
    }

    boolean awaitingAttachments() {
        return partial != null;
    }

    void expectAttachments(SocketIoPacket packet) {
        partial = packet;
        attachments = new ArrayList<>(packet.attachments());
    }

    /** Adds an attachment; returns the packet with all of them once complete, else null. */
    Completed addAttachment(byte[] attachment) {
        attachments.add(attachment);
        if (attachments.size() < partial.attachments()) {
            return null;
        }
        Completed completed = new Completed(partial, attachments);
        partial = null;
        attachments = null;
        return completed;
    }

    record Completed(SocketIoPacket packet, List<byte[]> attachments) {
    }
}
