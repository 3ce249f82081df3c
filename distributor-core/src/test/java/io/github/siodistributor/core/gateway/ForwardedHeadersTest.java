package io.github.siodistributor.core.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * What a worker's handlers read of the client behind the gateway (security review finding: the gateway appended to
 * the client's own X-Forwarded-For, so the first entry, which Socket.IO's documentation reads, was the client's
 * choice, and Forwarded or X-Real-IP passed through as sent).
 */
class ForwardedHeadersTest {

    private static final InetSocketAddress CLIENT = new InetSocketAddress("203.0.113.7", 50_000);

    private static HttpHeaders claims() {
        return new DefaultHttpHeaders().add("X-Forwarded-For", "6.6.6.6").add("X-Forwarded-Proto", "https")
                .add("Forwarded", "for=7.7.7.7;proto=https").add("X-Real-IP", "8.8.8.8")
                .add("X-Forwarded-Host", "bank.example").add("X-Forwarded-Port", "443").add("True-Client-IP", "9.9.9.9")
                .add("CF-Connecting-IP", "9.9.9.9").add("Cookie", "a=b");
    }

    @Test
    void atTheEdgeWhatAClientClaimsIsReplacedOrDropped() {
        HttpHeaders headers = claims();

        ForwardedHeaders.apply(headers, CLIENT, "http", false);

        assertThat(headers.getAll("X-Forwarded-For")).containsExactly("203.0.113.7");
        assertThat(headers.getAll("X-Forwarded-Proto")).containsExactly("http");
        assertThat(headers.names()).doesNotContain("Forwarded", "X-Real-IP", "X-Forwarded-Host", "X-Forwarded-Port",
                "True-Client-IP", "CF-Connecting-IP");
        assertThat(headers.get("Cookie")).as("the rest is the client's own").isEqualTo("a=b");
    }

    @Test
    void behindATrustedProxyItsHeadersStayAndThePeerIsAppended() {
        HttpHeaders headers = claims();

        ForwardedHeaders.apply(headers, CLIENT, "http", true);

        assertThat(headers.get("X-Forwarded-For")).isEqualTo("6.6.6.6, 203.0.113.7");
        assertThat(headers.get("X-Forwarded-Proto")).as("what the proxy saw").isEqualTo("https");
        assertThat(headers.get("X-Real-IP")).isEqualTo("8.8.8.8");
        assertThat(headers.get("Forwarded")).isEqualTo("for=7.7.7.7;proto=https");
    }

    @Test
    void aRequestWithoutForwardingHeadersGetsTheClientAndTheScheme() {
        for (boolean trusted : new boolean[] {false, true}) {
            HttpHeaders headers = new DefaultHttpHeaders();
            ForwardedHeaders.apply(headers, CLIENT, "https", trusted);
            assertThat(headers.get("X-Forwarded-For")).as("trusted: %s", trusted).isEqualTo("203.0.113.7");
            assertThat(headers.get("X-Forwarded-Proto")).as("trusted: %s", trusted).isEqualTo("https");
        }
    }

    @Test
    void behindAProxyThatAddsALineOfItsOwnEveryEntryIsKeptInOrder() {
        // HAProxy's option forwardfor adds its own header line after the client's
        HttpHeaders headers = new DefaultHttpHeaders().add("X-Forwarded-For", "6.6.6.6")
                .add("X-Forwarded-For", "198.51.100.9");

        ForwardedHeaders.apply(headers, CLIENT, "http", true);

        assertThat(headers.getAll("X-Forwarded-For")).containsExactly("6.6.6.6, 198.51.100.9, 203.0.113.7");
    }
}
