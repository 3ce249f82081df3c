package io.github.siodistributor.backend.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.github.siodistributor.backend.IndirectNamespace;
import io.github.siodistributor.backend.runtime.PendingRequestsTest.RecordingBus;
import io.github.siodistributor.core.protocol.ChannelNames;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * A backend emits none of the Socket.IO API's own event names to clients, as Socket.IO's server refuses to: the
 * JavaScript client would hand a "disconnect" to the application's listener while it is still connected.
 */
class ReservedEventsTest {

    private final RecordingBus bus = new RecordingBus();
    private final DistributorBackend backend = new DistributorBackend(bus, new ChannelNames("sio"), new JsonMapper(),
            Runnable::run);

    @Test
    void everyWayOfEmittingToClientsRefusesAReservedNameAndSendsNothing() {
        IndirectNamespace chat = backend.of("/chat");
        List<Consumer<String>> emits = List.of(
                event -> chat.emit(event, "x"),
                event -> chat.to("room").emitWithAck(event, "x"),
                event -> chat.except("room").timeout(Duration.ofSeconds(1)).emit(event),
                event -> chat.socket("w1.run00001a").emit(event),
                event -> chat.socket("w1.run00001a").emitWithAck(event),
                event -> chat.socket("w1.run00001a").timeout(Duration.ofSeconds(1)).emitWithAck(event),
                event -> chat.socket("w1.run00001a").broadcast().emit(event));
        for (String reserved : List.of("connect", "connect_error", "disconnect", "disconnecting", "newListener",
                "removeListener")) {
            for (Consumer<String> emit : emits) {
                assertThatIllegalArgumentException().isThrownBy(() -> emit.accept(reserved))
                        .withMessageStartingWith("\"" + reserved + "\" is a reserved event name");
            }
        }
        assertThat(bus.published).as("nothing sent").isEmpty();

        chat.emit("message", "x");
        assertThat(bus.published).hasSize(1);
    }
}
