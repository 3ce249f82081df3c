package io.github.siodistributor.core.socketio;

/**
 * A Socket.IO packet as read from the client: its header (type, namespace, ack id, number of binary
 * attachments) and its JSON data as bytes. For events, {@code event} is the event name and {@code data}
 * the remaining arguments as a JSON array; the arguments are checked for well-formedness but never
 * turned into objects.
 *
 * @param ackId the ack id, or {@link #NO_ACK}
 * @param data JSON bytes; {@code null} when the packet has none
 * @param event the event name for {@code EVENT} and {@code BINARY_EVENT}, else {@code null}
 */
public record SocketIoPacket(PacketType type, String namespace, long ackId, int attachments, byte[] data,
        String event) {

    public static final long NO_ACK = -1;
}
