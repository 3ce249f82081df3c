package io.github.siodistributor.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.siodistributor.autoconfigure.EmbeddedRedisServer;
import io.github.siodistributor.core.gateway.DistributorGateway;
import io.github.siodistributor.core.worker.DistributorWorker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.core.type.TypeReference;

/**
 * {@link DistributorTest} on an application whose {@code application.yml} turns the worker off, puts it on
 * 9092, runs a gateway on 9090 and points Redis at a host that does not exist: the test still gets a worker,
 * the backend and an embedded Redis on free ports, no gateway, and a client that talks to its handlers.
 */
@DistributorTest
class DistributorTestClientTest {

    @Autowired
    DistributorTestClient client;

    @Autowired
    DistributorWorker worker;

    @Autowired
    EmbeddedRedisServer redis;

    @Autowired
    ObjectProvider<DistributorGateway> gateway;

    @Test
    void theWorkerAndTheEmbeddedRedisRunOnFreePortsWhateverTheApplicationConfigures() {
        assertThat(worker.port()).isPositive().isNotEqualTo(9092);
        assertThat(redis.port()).isPositive().isNotEqualTo(6379);
        assertThat(client.url()).isEqualTo("http://127.0.0.1:" + worker.port());
    }

    @Test
    void theGatewayTheApplicationConfiguresDoesNotStart() {
        assertThat(gateway.getIfAvailable()).isNull();
    }

    @Test
    void acksCarryTheHandlersAnswerConvertedBothWays() {
        TestSocket socket = client.connect("/echo", Map.of("name", "ada"));
        assertThat(socket.id()).isNotBlank();
        assertThat(socket.emitWithAck("whoami").arg(0).asString()).as("its auth, typed on the server").isEqualTo("ada");

        Received echo = socket.emitWithAck("echo", 1, "two", Map.of("three", 3));
        assertThat(echo.args()).extracting(Object::toString).containsExactly("1", "\"two\"", "{\"three\":3}");
        assertThatThrownBy(() -> echo.arg(1, EchoHandler.Note.class)).isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("argument 1 of 'echo' is not a Note: it came with [1, \"two\", {\"three\":3}]");

        byte[] attachment = {0, 1, 2, (byte) 255};
        EchoHandler.Note note = socket.emitWithAck("note", new EchoHandler.Note("binary", attachment))
                .arg(0, EchoHandler.Note.class);
        assertThat(note.text()).isEqualTo("BINARY");
        assertThat(note.attachment()).containsExactly(attachment);
    }

    @Test
    void aConnectionCarriesTheQueryParametersAndHeadersTheTestChose() {
        TestSocket socket = client.connect("/echo", ConnectOptions.auth(Map.of("name", "ada"))
                .withQuery("room", "kitchen & hall").withHeader("X-Tenant", "acme"));

        Received seen = socket.emitWithAck("handshake");
        assertThat(seen.arg(0).path("room").asString()).isEqualTo("kitchen & hall");
        assertThat(seen.arg(0).path("tenant").asString()).isEqualTo("acme");
        assertThat(socket.emitWithAck("whoami").arg(0).asString()).isEqualTo("ada");
    }

    @Test
    void eventsFromTheBackendAreAwaitedInOrder() {
        TestSocket socket = client.connect("/echo");
        socket.emit("greet", "first");
        socket.emit("greet", "second");
        assertThat(socket.awaitEvent("greeting").arg(0).asString()).isEqualTo("hello first");
        assertThat(socket.awaitEvent("greeting").arg(0).asString()).isEqualTo("hello second");
        assertThat(socket.received("greeting")).hasSize(2);
    }

    @Test
    void anAckTheHandlerGivesAfterAskingTheClientIsAwaitedWhileTheTestAnswers() throws Exception {
        TestSocket socket = client.connect("/echo");

        CompletableFuture<Received> answer = socket.emitWithAckAsync("ask-back");
        socket.awaitEvent("question").ack(42);

        assertThat(answer.get(15, TimeUnit.SECONDS).arg(0).asInt()).isEqualTo(42);
    }

    @Test
    void argumentsConvertToGenericTypes() {
        TestSocket socket = client.connect("/echo");

        List<EchoHandler.Note> notes = socket.emitWithAck("echo", List.of(new EchoHandler.Note("a", new byte[] {1})))
                .arg(0, new TypeReference<List<EchoHandler.Note>>() { });

        assertThat(notes).singleElement().satisfies(note -> {
            assertThat(note.text()).isEqualTo("a");
            assertThat(note.attachment()).containsExactly(1);
        });
    }

    @Test
    void anEventExpectedNotToComeFailsWhenItComesAndADisconnectAwaitedInVainFailsAtItsOwnTimeout() {
        TestSocket socket = client.connect("/echo");
        socket.expectNoEvent("greeting", Duration.ofMillis(100));

        socket.emit("greet", "you");

        assertThatThrownBy(() -> socket.expectNoEvent("greeting", Duration.ofSeconds(15)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("hello you");
        assertThatThrownBy(() -> socket.awaitDisconnect(Duration.ofMillis(100))).isInstanceOf(AssertionError.class)
                .hasMessage("the disconnect of /echo did not come within 100 ms");
    }

    @Test
    void theTestAnswersTheBackendsEmitWithAck() {
        TestSocket socket = client.connect("/echo");
        socket.emit("quiz");
        Received question = socket.awaitEvent("question");
        assertThat(question.arg(0).asString()).isEqualTo("6 x 7?");
        assertThat(question.ackRequested()).isTrue();
        question.ack(42);
        assertThat(socket.awaitEvent("answered").arg(0).asInt()).isEqualTo(42);
    }

    @Test
    void aRefusedConnectionThrowsWithTheServersMessageAndData() {
        assertThatThrownBy(() -> client.connect("/echo", Map.of("name", "mallory")))
                .isInstanceOfSatisfying(ConnectRefusedException.class, refused -> {
                    assertThat(refused.errorMessage()).isEqualTo("not you");
                    assertThat(refused.errorData().path("who").asString()).isEqualTo("mallory");
                });
        assertThatThrownBy(() -> client.connect("/nobody-serves-this"))
                .isInstanceOfSatisfying(ConnectRefusedException.class,
                        refused -> assertThat(refused.errorMessage()).isEqualTo("Invalid namespace"));
    }

    @Test
    void aNamespaceRefusedOnAConnectionCannotBeTriedAgainThereAndTheMessageSaysWhy() {
        TestSocket other = client.connect("/other");
        assertThatThrownBy(() -> other.connect("/echo", Map.of("name", "mallory")))
                .isInstanceOf(ConnectRefusedException.class);

        assertThatIllegalArgumentException().isThrownBy(() -> other.connect("/echo", Map.of("name", "alice")))
                .withMessageContaining("refused").withMessageContaining("DistributorTestClient.connect");
        assertThat(client.connect("/echo", Map.of("name", "alice")).connected()).isTrue();
    }

    @Test
    void aSocketKeepsItsIdOnceDisconnected() {
        TestSocket echo = client.connect("/echo");
        String id = echo.id();

        echo.close();

        assertThat(echo.connected()).isFalse();
        assertThat(echo.id()).isNotNull().isEqualTo(id);
    }

    @Test
    void oneConnectionMultiplexesNamespaces() {
        TestSocket echo = client.connect("/echo");
        TestSocket other = echo.connect("/other");
        assertThat(other.emitWithAck("where").arg(0).asString()).isEqualTo("other");
        assertThat(echo.emitWithAck("echo", "still here").arg(0).asString()).isEqualTo("still here");
        assertThat(other.id()).isNotEqualTo(echo.id());
        // one socket per namespace and connection, as the client keeps them: said at once, not after a timeout
        for (String open : List.of("/echo", "/other")) {
            assertThatIllegalArgumentException().isThrownBy(() -> echo.connect(open)).withMessageContaining(open)
                    .withMessageContaining("DistributorTestClient.connect");
        }
        assertThat(echo.emitWithAck("echo", "unharmed").arg(0).asString()).isEqualTo("unharmed");
    }
}
