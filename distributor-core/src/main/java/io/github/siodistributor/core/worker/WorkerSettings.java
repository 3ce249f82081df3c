package io.github.siodistributor.core.worker;

import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.ServedNamespaces;
import io.github.siodistributor.core.protocol.SocketIds;
import io.github.siodistributor.core.protocol.WorkerAddress;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;

/**
 * What a worker needs to start: its id (unique among the workers on one Redis; it names the
 * worker's sockets and its command channel), where to listen, the namespaces it serves and the
 * deployment's channel names. Port 0 picks a free port. A namespace starting with {@code ^} is a pattern
 * for dynamic namespaces ({@link ServedNamespaces}). The advertised address is where gateways send this
 * worker's clients ({@code host} or {@code host:port}, the bound port when it has none); null derives it from
 * {@code host} (this machine's address when listening on all interfaces) and the bound port.
 */
public record WorkerSettings(String workerId, String host, int port, List<String> namespaces, ChannelNames channels,
        String advertisedAddress) {

    public WorkerSettings(String workerId, String host, int port, List<String> namespaces, ChannelNames channels) {
        this(workerId, host, port, namespaces, channels, null);
    }

    public WorkerSettings {
        if (advertisedAddress != null) {
            // checked now, with a stand-in port: a bad address must stop the start, not the first report
            WorkerAddress.parse(advertisedAddress, 1);
        }
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

    /** Where gateways should send this worker's clients, once it listens on {@code boundPort}. */
    public WorkerAddress advertised(int boundPort) {
        if (advertisedAddress != null) {
            return WorkerAddress.parse(advertisedAddress, boundPort);
        }
        boolean allInterfaces = host == null || host.isBlank() || host.equals("0.0.0.0") || host.equals("::")
                || host.equals("*");
        return new WorkerAddress(allInterfaces ? localAddress() : host, boundPort);
    }

    /** This machine's address; when its host name resolves to a loopback address (Debian: 127.0.1.1), one of its interfaces'. */
    private static String localAddress() {
        InetAddress local;
        try {
            local = InetAddress.getLocalHost();
        } catch (UnknownHostException e) {
            local = InetAddress.getLoopbackAddress();
        }
        if (!local.isLoopbackAddress()) {
            return local.getHostAddress();
        }
        try {
            Enumeration<NetworkInterface> networks = NetworkInterface.getNetworkInterfaces();
            for (NetworkInterface network : networks == null ? List.<NetworkInterface>of() : Collections.list(networks)) {
                if (!network.isUp() || network.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(network.getInetAddresses())) {
                    if (address instanceof Inet4Address && !address.isLinkLocalAddress()) {
                        return address.getHostAddress();
                    }
                }
            }
        } catch (SocketException e) {
            // no interface to ask: the loopback address serves a gateway on this machine
        }
        return local.getHostAddress();
    }
}
