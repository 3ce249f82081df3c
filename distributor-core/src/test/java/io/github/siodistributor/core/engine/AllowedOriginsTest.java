package io.github.siodistributor.core.engine;

import static io.github.siodistributor.core.engine.EngineConnections.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With origins listed, a page of another site can neither open a session nor a WebSocket on its visitor's cookies
 * (security review: a WebSocket is not subject to CORS, so cors-origins alone never stopped one); clients that send
 * no Origin (not browsers) are admitted, and an empty list admits everyone, as Socket.IO does.
 */
class AllowedOriginsTest {

    private static final String POLLING = "GET /socket.io/?EIO=4&transport=polling";
    private static final String[] UPGRADE = {"Upgrade: websocket", "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"};

    private final EngineConnections.Recorder listener = new EngineConnections.Recorder();

    private EngineServer server(List<String> allowedOrigins) {
        return new EngineServer(new EngineSettings(Duration.ofSeconds(25), Duration.ofSeconds(20), 1_000_000,
                Duration.ofSeconds(10), Duration.ofSeconds(45), List.of("*"), 100, allowedOrigins), listener);
    }

    private static EmbeddedChannel connection(EngineServer server) {
        EmbeddedChannel channel = new EmbeddedChannel();
        server.initChannel(channel);
        return channel;
    }

    private static String[] with(String origin, String... headers) {
        String[] all = new String[headers.length + 1];
        all[0] = "Origin: " + origin;
        System.arraycopy(headers, 0, all, 1, headers.length);
        return all;
    }

    @Test
    void aListedOriginAndAClientWithoutOriginOpenSessionsAndAnotherOriginIsRefused() {
        EngineServer server = server(List.of("https://app.example"));

        assertThat(request(connection(server), POLLING, "Origin: https://app.example")).startsWith("HTTP/1.1 200 ");
        assertThat(request(connection(server), POLLING)).as("no Origin: not a browser page")
                .startsWith("HTTP/1.1 200 ");
        String refused = request(connection(server), POLLING, "Origin: https://evil.example");
        assertThat(refused).startsWith("HTTP/1.1 403 ").endsWith("{\"code\":4,\"message\":\"Forbidden\"}");
        assertThat(request(connection(server), "GET /socket.io/?EIO=4&transport=websocket",
                with("https://evil.example", UPGRADE))).as("a WebSocket of its own").startsWith("HTTP/1.1 403 ");
        assertThat(request(connection(server), "GET /socket.io/?EIO=4&transport=websocket",
                with("https://app.example", UPGRADE))).startsWith("HTTP/1.1 101 ");
        assertThat(listener.opened).hasSize(3);
    }

    @Test
    void anotherOriginCannotUpgradeASessionItKnowsTheIdOf() {
        EngineServer server = server(List.of("https://app.example"));
        request(connection(server), POLLING, "Origin: https://app.example");
        String sid = listener.opened.get(0).id();

        String probe = request(connection(server), "GET /socket.io/?EIO=4&transport=websocket&sid=" + sid,
                with("https://evil.example", UPGRADE));

        assertThat(probe).startsWith("HTTP/1.1 403 ");
    }

    @Test
    void withNoOriginListedEveryOriginIsAdmitted() {
        EngineServer server = server(List.of());

        assertThat(request(connection(server), POLLING, "Origin: https://any.example")).startsWith("HTTP/1.1 200 ");
        assertThat(request(connection(server), "GET /socket.io/?EIO=4&transport=websocket",
                with("https://any.example", UPGRADE))).startsWith("HTTP/1.1 101 ");
    }

    @Test
    void anOriginIsASchemeAHostAndAPort() {
        for (String bad : List.of("*", "app.example", "https://app.example/", "https://app.example/path")) {
            assertThatIllegalArgumentException().as(bad).isThrownBy(() -> server(List.of(bad)))
                    .withMessageContaining("got '" + bad + "'");
        }
        server(List.of("http://localhost:8080", "https://app.example"));
    }
}
