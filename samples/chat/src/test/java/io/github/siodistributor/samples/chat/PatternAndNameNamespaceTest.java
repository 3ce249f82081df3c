package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.siodistributor.backend.IndirectNamespace;
import io.github.siodistributor.backend.IndirectServer;
import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.annotation.OnConnect;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A worker that serves a pattern ({@link GameHandler}, {@code ^/game-\d+$}) and a name it matches
 * ({@code /game-77}, with a handler of its own on another backend): as in Socket.IO, where an explicit
 * {@code io.of("/game-77")} is not a child of the regex parent, the name's sockets belong to the name's backend
 * alone. Namespace-wide calls of the pattern's backend for {@code /game-77} (they go out on the pattern's
 * channel) do not reach them: no emit, no handshake (with its cookies) in {@code fetchSockets()}, no disconnect.
 */
class PatternAndNameNamespaceTest extends ChatClusterTestSupport {

    private static final String NAME = "/game-77";

    private static ConfigurableApplicationContext patternBackend;
    private static ConfigurableApplicationContext nameBackend;
    private static ConfigurableApplicationContext worker;

    @SocketNamespace(NAME)
    public static class Game77Handler {

        @OnConnect
        public void connected(IndirectSocket socket) {
            socket.emit("welcome", "the name's own handler");
        }
    }

    @BeforeAll
    static void startCluster() {
        cluster = new ChatCluster("patternnametest");
        patternBackend = cluster.backend(GameHandler.class);
        nameBackend = cluster.backend(Game77Handler.class);
        worker = cluster.worker("w1", GameHandler.class, Game77Handler.class);
    }

    @Test
    void theNamesSocketsAreOutOfReachOfThePatternsBackend() throws Exception {
        clients.connect("named", ChatCluster.url(worker), NAME);
        String id = clients.awaitConnect("named").get("socketId").asText();
        assertThat(clients.awaitEvent("named", "welcome").get("args").get(0).asText())
                .isEqualTo("the name's own handler");

        of(patternBackend).emit("from-the-pattern", 1);
        of(patternBackend).disconnectSockets(true);
        assertThat(of(patternBackend).fetchSockets().get(WAIT_SECONDS, TimeUnit.SECONDS)).isEmpty();

        // the worker answered that fetch after the emit and the disconnect published before it: they did nothing.
        // The name's backend still has its socket, and reaches it
        assertThat(of(nameBackend).fetchSockets().get(WAIT_SECONDS, TimeUnit.SECONDS)).singleElement()
                .satisfies(socket -> assertThat(socket.id()).isEqualTo(id));
        of(nameBackend).emit("from-the-name", 2);
        clients.awaitEvent("named", "from-the-name");
        assertThat(clients.received("named", "from-the-pattern")).isEmpty();
    }

    private static IndirectNamespace of(ConfigurableApplicationContext backend) {
        return backend.getBean(IndirectServer.class).of(NAME);
    }
}
