package io.github.siodistributor.backend.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.siodistributor.backend.EventRejectedException;
import io.github.siodistributor.backend.annotation.OnEvent;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import io.github.siodistributor.backend.runtime.PendingRequestsTest.RecordingBus;
import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.Handshake;
import io.github.siodistributor.core.protocol.Message.AckReply;
import io.github.siodistributor.core.protocol.Message.SocketConnected;
import io.github.siodistributor.core.protocol.Message.EmitToSocket;
import io.github.siodistributor.core.protocol.Message.SocketEvent;
import io.github.siodistributor.core.protocol.Payload;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the client waiting for an ack gets from a backend, whatever the handler does: answers that come later
 * (a returned future), failures that come later, and handlers that fail with an {@link Error}. The test plays the
 * worker on the instance channel; handlers run on the delivering thread.
 */
class HandlerAnswersTest {

    private static final ChannelNames CHANNELS = new ChannelNames("sio");
    private static final String SOCKET = "w1.run00001a";

    private final RecordingBus bus = new RecordingBus();
    private final DistributorBackend backend = new DistributorBackend(bus, CHANNELS, new JsonMapper(), Runnable::run);

    @AfterEach
    void close() {
        backend.close();
    }

    @SocketNamespace("/later")
    public static class Later {
        final CompletableFuture<String> answer = new CompletableFuture<>();

        @OnEvent("later")
        public CompletableFuture<String> later() {
            return answer;
        }
    }

    @SocketNamespace("/failing")
    public static class Failing extends Later {
    }

    private void connect(String namespace) {
        bus.handlers.get(CHANNELS.instance(backend.id())).accept(new SocketConnected(namespace, SOCKET,
                new Handshake(Map.of(), Map.of(), "{}".getBytes(StandardCharsets.UTF_8), "127.0.0.1", "/socket.io/",
                        0L)));
    }

    private void event(String namespace, String event, int ackId) {
        bus.handlers.get(CHANNELS.instance(backend.id())).accept(new SocketEvent(namespace, SOCKET, event, ackId,
                Payload.empty()));
    }

    private List<String> acks() {
        return bus.published.stream().filter(AckReply.class::isInstance).map(AckReply.class::cast)
                .map(reply -> reply.ackId() + " " + new String(reply.args().jsonArray(), StandardCharsets.UTF_8))
                .toList();
    }

    @Test
    void aReturnedFutureIsTheAckOnceItCompletesAndItsFailureTheErrorObject() {
        Later later = new Later();
        backend.register(new AnnotatedNamespaceHandler(later, Later.class));
        connect("/later");

        event("/later", "later", 1);
        event("/later", "later", 2);
        assertThat(acks()).as("nothing before the future completes").isEmpty();
        later.answer.complete("done");
        assertThat(acks()).containsExactlyInAnyOrder("1 [\"done\"]", "2 [\"done\"]");

        Failing failing = new Failing();
        backend.register(new AnnotatedNamespaceHandler(failing, Failing.class));
        connect("/failing");
        event("/failing", "later", 3);
        failing.answer.completeExceptionally(new EventRejectedException("no such room"));
        assertThat(acks()).hasSize(3).last().asString().startsWith("3 ").contains("\"error\"")
                .contains("no such room");
    }

    @Test
    void aHandlerThatFailsWithAnErrorStillAnswersTheAckAndAnEventWithoutAckGetsTheErrorEvent() {
        backend.register(new EventsOnly("/broken", (socket, event, args, ack) -> {
            throw new AssertionError("a handler's own check");
        }));
        connect("/broken");

        event("/broken", "ask", 5);
        event("/broken", "tell", -1);

        assertThat(acks()).singleElement().asString().startsWith("5 ").contains("internal error");
        assertThat(bus.published).filteredOn(EmitToSocket.class::isInstance).map(EmitToSocket.class::cast)
                .singleElement().satisfies(emit -> assertThat(new String(emit.args().jsonArray(),
                        StandardCharsets.UTF_8)).contains("tell").contains("internal error"));
    }

    @Test
    void aNullPassedAsTheOnlyArgumentIsSentAsNull() {
        backend.register(new EventsOnly("/nulls", (socket, event, args, ack) -> {
            socket.emit("nothing", (Object[]) null);
            ack.send((Object[]) null);
        }));
        connect("/nulls");

        event("/nulls", "ask", 6);

        assertThat(acks()).containsExactly("6 [null]");
        assertThat(bus.published).filteredOn(EmitToSocket.class::isInstance).map(EmitToSocket.class::cast)
                .singleElement().satisfies(emit -> assertThat(new String(emit.args().jsonArray(),
                        StandardCharsets.UTF_8)).isEqualTo("[null]"));
    }
}
