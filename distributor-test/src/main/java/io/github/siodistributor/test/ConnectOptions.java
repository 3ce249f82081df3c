package io.github.siodistributor.test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a test's new connection sends with its handshake: the socket's {@code auth}, and the connection's query
 * parameters and HTTP headers (what {@code Handshake.query} and {@code Handshake.headers} show the handlers).
 * Immutable; each {@code with} returns a copy: {@code ConnectOptions.auth(Map.of("name", "Ada")).withQuery("room",
 * "kitchen").withHeader("X-Tenant", "acme")}.
 *
 * @param auth the CONNECT packet's auth (the Java client sends strings only)
 * @param query the handshake request's query parameters, besides Engine.IO's own
 * @param headers the HTTP headers of the connection's requests
 */
public record ConnectOptions(Map<String, String> auth, Map<String, String> query, Map<String, List<String>> headers) {

    public ConnectOptions {
        auth = Map.copyOf(Objects.requireNonNull(auth, "auth"));
        query = Map.copyOf(Objects.requireNonNull(query, "query"));
        headers = Map.copyOf(Objects.requireNonNull(headers, "headers"));
    }

    /** No auth, no query parameters, no headers of the test's own. */
    public static ConnectOptions none() {
        return new ConnectOptions(Map.of(), Map.of(), Map.of());
    }

    /** With {@code auth} as the socket's auth. */
    public static ConnectOptions auth(Map<String, String> auth) {
        return none().withAuth(auth);
    }

    public ConnectOptions withAuth(Map<String, String> auth) {
        return new ConnectOptions(auth, query, headers);
    }

    /** With one more query parameter (or another value for {@code name}). */
    public ConnectOptions withQuery(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(query);
        more.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return new ConnectOptions(auth, more, headers);
    }

    /** With one more header (or another value for {@code name}). */
    public ConnectOptions withHeader(String name, String value) {
        Map<String, List<String>> more = new LinkedHashMap<>(headers);
        more.put(Objects.requireNonNull(name, "name"), List.of(Objects.requireNonNull(value, "value")));
        return new ConnectOptions(auth, query, more);
    }
}
