package io.github.siodistributor.core.gateway;

import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import java.util.Objects;

/**
 * What a gateway needs to start.
 *
 * @param host the address to listen on; null for all interfaces
 * @param port the port to listen on; 0 picks a free one
 * @param balancing how new sessions are spread over the live workers
 * @param refreshInterval how often the live workers are read from Redis
 * @param connectTimeout how long connecting to a worker, or its first answer to a new session, may take before the
 *     worker counts as unreachable
 * @param maxRequestSize the largest request body accepted from a client, in bytes (the workers' max payload)
 * @param idleTimeout how long a client connection with no request under way may see no traffic before it is closed
 * @param ssl the TLS server context when the gateway terminates TLS; null for plain HTTP
 * @param trustForwardedHeaders whether the gateway's clients are proxies of the deployment whose forwarding headers
 *     ({@code X-Forwarded-For}, {@code Forwarded}, ...) are true; when not, the gateway replaces them
 *     ({@link ForwardedHeaders})
 */
public record GatewaySettings(String host, int port, Balancing balancing, Duration refreshInterval,
        Duration connectTimeout, int maxRequestSize, Duration idleTimeout, SslContext ssl,
        boolean trustForwardedHeaders) {

    /** At the edge: forwarding headers from clients are replaced. */
    public GatewaySettings(String host, int port, Balancing balancing, Duration refreshInterval,
            Duration connectTimeout, int maxRequestSize, Duration idleTimeout, SslContext ssl) {
        this(host, port, balancing, refreshInterval, connectTimeout, maxRequestSize, idleTimeout, ssl, false);
    }

    public GatewaySettings {
        Objects.requireNonNull(balancing, "balancing");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("gateway port " + port + " is outside 0..65535");
        }
        requirePositive(refreshInterval, "refreshInterval");
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(idleTimeout, "idleTimeout");
        if (maxRequestSize < 1) {
            throw new IllegalArgumentException("maxRequestSize must be at least 1 byte, got " + maxRequestSize);
        }
    }

    private static void requirePositive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
