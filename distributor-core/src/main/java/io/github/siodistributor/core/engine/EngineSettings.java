package io.github.siodistributor.core.engine;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Engine.IO settings, with Socket.IO's defaults in {@link #defaults()}.
 *
 * @param pingInterval how often the server pings
 * @param pingTimeout how long a client has to answer a ping before the session closes
 * @param maxPayload the largest HTTP body or WebSocket message accepted, in bytes
 * @param upgradeTimeout how long a WebSocket probe may take to complete the upgrade
 * @param connectTimeout how long a new session may stay without joining any namespace
 * @param corsOrigins origins allowed to make cross-origin requests; {@code "*"} allows all
 * @param maxPendingSessions most sessions opened and not yet in use the server keeps (see {@link EngineServer})
 * @param allowedOrigins origins whose pages may open a session or a WebSocket; empty admits every origin
 */
public record EngineSettings(Duration pingInterval, Duration pingTimeout, int maxPayload, Duration upgradeTimeout,
        Duration connectTimeout, List<String> corsOrigins, int maxPendingSessions, List<String> allowedOrigins) {

    /** Sessions opened and not yet in use that a server keeps by default ({@link #maxPendingSessions}). */
    public static final int DEFAULT_MAX_PENDING_SESSIONS = 2_000;

    public EngineSettings {
        requirePositive(pingInterval, "pingInterval");
        requirePositive(pingTimeout, "pingTimeout");
        requirePositive(upgradeTimeout, "upgradeTimeout");
        requirePositive(connectTimeout, "connectTimeout");
        if (maxPayload < 1) {
            throw new IllegalArgumentException("maxPayload must be at least 1 byte, got " + maxPayload);
        }
        corsOrigins = List.copyOf(corsOrigins);
        if (maxPendingSessions < 1) {
            throw new IllegalArgumentException("maxPendingSessions must be at least 1, got " + maxPendingSessions);
        }
        allowedOrigins = requireValidOrigins(allowedOrigins);
    }

    /**
     * The list as it may be {@link #allowedOrigins}: each a scheme, host and optional port, as browsers send them.
     *
     * @throws IllegalArgumentException naming the first that is not
     */
    public static List<String> requireValidOrigins(List<String> origins) {
        for (String origin : origins) {
            if (origin == null || origin.equals("*") || !origin.matches("[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#\\s]+")) {
                throw new IllegalArgumentException("an allowed origin is a scheme, host and optional port, such as "
                        + "https://app.example or http://localhost:8080 (leave the list empty to admit every origin), "
                        + "got '" + origin + "'");
            }
        }
        return List.copyOf(origins);
    }

    /** Admitting every origin. */
    public EngineSettings(Duration pingInterval, Duration pingTimeout, int maxPayload, Duration upgradeTimeout,
            Duration connectTimeout, List<String> corsOrigins, int maxPendingSessions) {
        this(pingInterval, pingTimeout, maxPayload, upgradeTimeout, connectTimeout, corsOrigins, maxPendingSessions,
                List.of());
    }

    /** With the default {@link #maxPendingSessions}. */
    public EngineSettings(Duration pingInterval, Duration pingTimeout, int maxPayload, Duration upgradeTimeout,
            Duration connectTimeout, List<String> corsOrigins) {
        this(pingInterval, pingTimeout, maxPayload, upgradeTimeout, connectTimeout, corsOrigins,
                DEFAULT_MAX_PENDING_SESSIONS);
    }

    public static EngineSettings defaults() {
        return new EngineSettings(Duration.ofSeconds(25), Duration.ofSeconds(20), 1_000_000, Duration.ofSeconds(10),
                Duration.ofSeconds(45), List.of("*"));
    }

    /**
     * Whether a handshake or WebSocket upgrade from {@code origin} is admitted: a request without an Origin (not from
     * a browser page) always is; one from a page only when no origins are listed, or its origin is.
     */
    boolean admitsOrigin(String origin) {
        return origin == null || allowedOrigins.isEmpty() || allowedOrigins.contains(origin);
    }

    boolean allowsOrigin(String origin) {
        return corsOrigins.contains("*") || corsOrigins.contains(origin);
    }

    private static void requirePositive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
