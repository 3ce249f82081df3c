package io.github.siodistributor.core.worker;

import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.ServedNamespaces;
import io.github.siodistributor.core.protocol.SocketIds;
import java.util.List;
import java.util.Objects;

/**
 * What a worker needs to start: its id (unique among the workers on one Redis; it names the
 * worker's sockets and its command channel), where to listen, the namespaces it serves and the
 * deployment's channel names. Port 0 picks a free port. A namespace starting with {@code ^} is a pattern
 * for dynamic namespaces ({@link ServedNamespaces}).
 */
public record WorkerSettings(String workerId, String host, int port, List<String> namespaces, ChannelNames channels) {

    public WorkerSettings {
        SocketIds.requireValidWorkerId(workerId);
        Objects.requireNonNull(channels, "channels");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("worker port " + port + " is outside 0..65535");
        }
        namespaces = List.copyOf(namespaces);
        if (namespaces.isEmpty()) {
            throw new IllegalArgumentException("a worker must serve at least one namespace");
        }
        namespaces.forEach(ServedNamespaces::requireValid);
    }
}
