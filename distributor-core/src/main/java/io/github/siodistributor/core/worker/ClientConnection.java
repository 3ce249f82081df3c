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
    /** The bytes of the partial packet so far, its JSON included. */
    private long partialBytes;

    ClientConnection(EngineSession session) {
        this.session = session;
    }

    boolean awaitingAttachments() {
        return partial != null;
    }

    void expectAttachments(SocketIoPacket packet, int jsonBytes) {
        partial = packet;
        attachments = new ArrayList<>(packet.attachments());
        partialBytes = jsonBytes;
    }

    /**
     * Whether the partial packet stays within {@code limit} bytes with this attachment: each attachment is a
     * message of its own, and only the whole packet's size bounds what the worker holds and publishes.
     */
    boolean attachmentFits(int attachmentBytes, int limit) {
        return partialBytes + attachmentBytes <= limit;
    }

    /** Adds an attachment; returns the packet with all of them once complete, else null. */
    Completed addAttachment(byte[] attachment) {
        attachments.add(attachment);
        partialBytes += attachment.length;
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
