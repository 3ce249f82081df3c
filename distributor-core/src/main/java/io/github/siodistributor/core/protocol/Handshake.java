package io.github.siodistributor.core.protocol;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a client presented when it connected to a namespace: HTTP headers and query of the
 * Engine.IO handshake, the namespace auth payload (JSON object bytes, {@code {}} when none),
 * its remote address, the request URL and when it connected (epoch millis).
 */
public record Handshake(Map<String, List<String>> headers, Map<String, List<String>> query, byte[] auth,
        String address, String url, long issuedAt) {

    public Handshake {
        headers = copy(headers);
        query = copy(query);
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(url, "url");
    }

    /** The first value of a header, matched without regard to case as HTTP wants. */
    public String header(String name) {
        for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
            if (entry.getKey().equalsIgnoreCase(name) && !entry.getValue().isEmpty()) {
                return entry.getValue().get(0);
            }
        }
        return null;
    }

    /** The first value of a query parameter, or null. */
    public String queryParameter(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static Map<String, List<String>> copy(Map<String, List<String>> source) {
        Objects.requireNonNull(source);
        java.util.LinkedHashMap<String, List<String>> copy = new java.util.LinkedHashMap<>();
        source.forEach((key, values) -> copy.put(key, List.copyOf(values)));
        return java.util.Collections.unmodifiableMap(copy);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Handshake that && headers.equals(that.headers) && query.equals(that.query)
                && java.util.Arrays.equals(auth, that.auth) && address.equals(that.address) && url.equals(that.url)
                && issuedAt == that.issuedAt;
    }

    @Override
    public int hashCode() {
        return Objects.hash(headers, query, java.util.Arrays.hashCode(auth), address, url, issuedAt);
    }

    @Override
    public String toString() {
        return "Handshake[address=" + address + ", url=" + url + ", issuedAt=" + issuedAt + "]";
    }
}
