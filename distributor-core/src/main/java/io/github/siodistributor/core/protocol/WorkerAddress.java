package io.github.siodistributor.core.protocol;

import java.util.Objects;

/**
 * Where a worker takes client connections, as it advertises itself to gateways: {@code host:port}, an IPv6
 * literal in brackets ({@code [::1]:9092}).
 */
public record WorkerAddress(String host, int port) {

    public WorkerAddress {
        Objects.requireNonNull(host, "host");
        if (host.isBlank() || host.chars().anyMatch(c -> Character.isWhitespace(c) || c == '/')) {
            throw new IllegalArgumentException("a worker address needs a host name or IP address, got '" + host + "'");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("a worker address needs a port in 1..65535, got " + port);
        }
    }

    /** Parses {@code host:port} or {@code [v6]:port}. */
    public static WorkerAddress parse(String address) {
        WorkerAddress parsed = parse(address, -1);
        if (parsed == null) {
            throw new IllegalArgumentException("'" + address + "' is not host:port");
        }
        return parsed;
    }

    /**
     * Parses {@code host}, {@code host:port}, {@code [v6]} or {@code [v6]:port}; without a port, {@code defaultPort}.
     * Null when there is no port and {@code defaultPort} is not one.
     */
    public static WorkerAddress parse(String address, int defaultPort) {
        Objects.requireNonNull(address, "address");
        String host = address;
        String port = null;
        if (address.startsWith("[")) {
            int close = address.indexOf(']');
            if (close < 0 || (close + 1 < address.length() && address.charAt(close + 1) != ':')) {
                throw new IllegalArgumentException("'" + address + "' is not [IPv6 address]:port");
            }
            host = address.substring(1, close);
            port = close + 2 <= address.length() - 1 ? address.substring(close + 2) : null;
        } else if (address.indexOf(':') >= 0 && address.indexOf(':') == address.lastIndexOf(':')) {
            host = address.substring(0, address.indexOf(':'));
            port = address.substring(address.indexOf(':') + 1);
        } else if (address.indexOf(':') >= 0) {
            throw new IllegalArgumentException("'" + address + "': put an IPv6 address in brackets, [" + address + "]");
        }
        if (port == null) {
            return defaultPort < 1 ? null : new WorkerAddress(host, defaultPort);
        }
        try {
            return new WorkerAddress(host, Integer.parseInt(port));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + address + "' has no numeric port", e);
        }
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
