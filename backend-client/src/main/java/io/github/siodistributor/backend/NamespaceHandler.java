package io.github.siodistributor.backend;

/**
 * What the backend runtime calls for a namespace. Calls for one socket come one at a time, in the
 * order the client produced them; calls for different sockets run in parallel. Usually built from
 * a {@code @SocketNamespace} bean; implement it directly for full control.
 */
public interface NamespaceHandler {

    String namespace();

    void onConnect(IndirectSocket socket);

    /** {@code ack.requested()} tells whether the client waits for an answer. */
    void onEvent(IndirectSocket socket, String event, SocketArgs args, Ack ack);

    void onDisconnect(IndirectSocket socket, String reason);
}
