package io.github.siodistributor.backend;

import java.util.Set;

/**
 * A socket as {@link BroadcastOperator#fetchSockets()} found it on its worker: a snapshot of its rooms
 * and data at that moment, and an {@link IndirectSocket} to act on it.
 */
public interface RemoteSocket extends IndirectSocket {

    /** The rooms the socket was in, including the one named by its id, as in Socket.IO. */
    Set<String> rooms();
}
