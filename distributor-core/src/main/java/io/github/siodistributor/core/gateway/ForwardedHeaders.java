package io.github.siodistributor.core.gateway;

import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

/**
 * What the gateway tells a worker of the client behind a request: {@code X-Forwarded-For} and
 * {@code X-Forwarded-Proto}, which handlers read from the handshake since its address is the gateway's.
 *
 * <p>At the edge (the default) the gateway replaces them, and drops the other headers a client may send to claim an
 * address, host or scheme ({@link #CLIENT_CLAIMS}: {@code Forwarded}, {@code X-Real-IP}, ...): appended to, a
 * client's own
 * {@code X-Forwarded-For: 6.6.6.6} came out as {@code 6.6.6.6, <client>}, and the first entry, which Socket.IO's
 * documentation tells applications to read, was whatever the client chose. Behind a proxy of the deployment's own that
 * sets them, the gateway trusts them: it appends its peer to {@code X-Forwarded-For} and leaves the others.
 */
final class ForwardedHeaders {

    static final String X_FORWARDED_FOR = "X-Forwarded-For";
    static final String X_FORWARDED_PROTO = "X-Forwarded-Proto";
    /** What a client could claim about itself through headers a worker's handlers may read. */
    static final List<String> CLIENT_CLAIMS = List.of("Forwarded", "X-Real-IP", "X-Forwarded-Host", "X-Forwarded-Port",
            "X-Forwarded-Server", "X-Forwarded-Prefix", "X-Client-IP", "True-Client-IP", "CF-Connecting-IP");

    private ForwardedHeaders() {
    }

    /**
     * @param peer the address the request came from (the client, or the proxy in front)
     * @param scheme {@code https} when the gateway terminates TLS, else {@code http}
     * @param trusted whether the peer is a proxy of the deployment whose forwarding headers are true
     */
    static void apply(HttpHeaders headers, SocketAddress peer, String scheme, boolean trusted) {
        String address = peer instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : null;
        if (trusted) {
            // several lines are one list (RFC 9110): a proxy may add its own line after the client's
            List<String> forwardedFor = headers.getAll(X_FORWARDED_FOR);
            if (address != null) {
                headers.set(X_FORWARDED_FOR, forwardedFor.isEmpty() ? address
                        : String.join(", ", forwardedFor) + ", " + address);
            }
            if (!headers.contains(X_FORWARDED_PROTO)) {
                headers.set(X_FORWARDED_PROTO, scheme);
            }
            return;
        }
        CLIENT_CLAIMS.forEach(headers::remove);
        if (address != null) {
            headers.set(X_FORWARDED_FOR, address);
        } else {
            headers.remove(X_FORWARDED_FOR);
        }
        headers.set(X_FORWARDED_PROTO, scheme);
    }
}
