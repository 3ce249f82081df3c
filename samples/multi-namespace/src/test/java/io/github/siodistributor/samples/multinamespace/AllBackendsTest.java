package io.github.siodistributor.samples.multinamespace;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.siodistributor.test.DistributorTest;
import io.github.siodistributor.test.DistributorTestClient;
import io.github.siodistributor.test.TestSocket;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.ActiveProfiles;

/**
 * The sample's three backends, which run as separate processes in production (one profile each), in one test
 * context: {@link DistributorTest} adds a worker for them, an embedded Redis, and a client. The profiles must be
 * active, or no {@code @SocketNamespace} bean exists and the worker has nothing to serve.
 */
@DistributorTest
@ActiveProfiles({"chat", "gameA", "gameB"})
class AllBackendsTest {

    @Autowired
    private DistributorTestClient client;

    @Test
    void oneConnectionReachesEachNamespacesHandlers() {
        TestSocket chat = client.connect("/chat");
        TestSocket gameA = chat.connect("/gameA");
        TestSocket gameB = chat.connect("/gameB");

        assertThat(chat.emitWithAck("say", "hi").arg(0).asBoolean()).isTrue();
        assertThat(chat.awaitEvent("said").arg(0).asString()).isEqualTo("hi");
        assertThat(gameA.emitWithAck("move", "e4").arg(0).asInt()).isEqualTo(1);
        assertThat(gameA.awaitEvent("moved").arg(0, GameBackend.Moved.class))
                .isEqualTo(new GameBackend.Moved(1, "e4"));
        // each game numbers its own moves
        assertThat(gameB.emitWithAck("move", "d4").arg(0).asInt()).isEqualTo(1);
        assertThat(gameB.emitWithAck("hello").arg(0, BackendProcess.Hello.class).namespace()).isEqualTo("/gameB");
        assertThat(gameA.received("moved")).hasSize(1);
    }
}
