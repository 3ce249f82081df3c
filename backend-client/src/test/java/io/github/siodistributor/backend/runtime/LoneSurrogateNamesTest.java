package io.github.siodistributor.backend.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.github.siodistributor.backend.IndirectNamespace;
import io.github.siodistributor.backend.runtime.PendingRequestsTest.RecordingBus;
import io.github.siodistributor.core.protocol.ChannelNames;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * A room or event name with a lone surrogate (what JSON's {@code "\ud800"} escape makes) has no UTF-8 form: written
 * as {@code ?}, two names would become one on the wire, and a socket would get another room's emits. The API refuses
 * it at the call, naming the name, and sends nothing.
 */
class LoneSurrogateNamesTest {

    private static final String LONE = "vip\uD800";

    private final RecordingBus bus = new RecordingBus();
    private final DistributorBackend backend = new DistributorBackend(bus, new ChannelNames("sio"), new JsonMapper(),
            Runnable::run);

    @Test
    void everyCallTakingARoomNameRefusesOneWithALoneSurrogate() {
        IndirectNamespace chat = backend.of("/chat");
        List<ThrowingCallable> calls = List.of(
                () -> chat.to(LONE),
                () -> chat.except(LONE),
                () -> chat.in("lobby", LONE),
                () -> chat.socketsJoin(LONE),
                () -> chat.socketsLeave(LONE),
                () -> chat.socket("w1.run00001a").join("lobby", LONE),
                () -> chat.socket("w1.run00001a").leave(LONE),
                () -> chat.socket("w1.run00001a").to(LONE));
        for (ThrowingCallable call : calls) {
            assertThatIllegalArgumentException().isThrownBy(call)
                    .withMessage("the room name \"vip\\uD800\" is not valid Unicode: a lone surrogate (\\uD800 at "
                            + "index 3) cannot be written as UTF-8");
        }
        assertThat(bus.published).as("nothing sent").isEmpty();
    }

    @Test
    void everyEmitRefusesAnEventNameWithALoneSurrogate() {
        IndirectNamespace chat = backend.of("/chat");
        List<ThrowingCallable> emits = List.of(
                () -> chat.emit("\uDC00say", "x"),
                () -> chat.to("lobby").emitWithAck("\uDC00say"),
                () -> chat.socket("w1.run00001a").emit("\uDC00say"),
                () -> chat.socket("w1.run00001a").emitWithAck("\uDC00say"));
        for (ThrowingCallable emit : emits) {
            assertThatIllegalArgumentException().isThrownBy(emit)
                    .withMessageStartingWith("the event name \"\\uDC00say\" is not valid Unicode");
        }
        assertThat(bus.published).as("nothing sent").isEmpty();

        // a surrogate pair is a character like any other
        chat.to("\uD83C\uDF89").emit("\uD83C\uDF89", "x");
        assertThat(bus.published).hasSize(1);
    }
}
