package io.github.siodistributor.backend.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.siodistributor.backend.Ack;
import io.github.siodistributor.backend.IndirectNamespace;
import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.NamespaceHandler;
import io.github.siodistributor.backend.SocketArgs;
import io.github.siodistributor.backend.runtime.PendingRequestsTest.RecordingBus;
import io.github.siodistributor.core.metrics.NamespaceStats;
import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.Handshake;
import io.github.siodistributor.core.protocol.Message;
import io.github.siodistributor.core.protocol.Message.SocketConnected;
import io.github.siodistributor.core.protocol.Message.SocketDisconnected;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * A backend keeps a namespace's sockets while they are connected, and nothing once they are gone: dynamic
 * namespaces ({@code ^/game-\d+$}) come and go without end. The test plays the worker on the instance channel.
 */
class BackendNamespacesTest {

    private static final ChannelNames CHANNELS = new ChannelNames("sio");

    private final RecordingBus bus = new RecordingBus();
    private final DistributorBackend backend = new DistributorBackend(bus, CHANNELS, new JsonMapper(), Runnable::run);

    private static final class Games implements NamespaceHandler {
        @Override
        public String namespace() {
            return "^/game-\\d+$";
        }

        @Override
        public void onConnect(IndirectSocket socket) {
        }

        @Override
        public void onEvent(IndirectSocket socket, String event, SocketArgs args,
                Ack ack) {
        }

        @Override
        public void onDisconnect(IndirectSocket socket, String reason) {
        }
    }

    private void fromWorker(Message message) {
        Consumer<Message> instance = bus.handlers.get(CHANNELS.instance(backend.id()));
        instance.accept(message);
    }

    private static Handshake handshake() {
        return new Handshake(Map.of(), Map.of(), new byte[0], "127.0.0.1", "/socket.io/", 0L);
    }

    @Test
    void aNamespaceHoldsItsSocketsWhileConnectedAndNothingOnceTheyLeft() {
        backend.register(new Games());
        IndirectNamespace heldByTheApplication = backend.of("/game-1");
        fromWorker(new SocketConnected("/game-1", "w1.run00001a", handshake()));
        fromWorker(new SocketConnected("/game-1", "w1.run00001b", handshake()));

        assertThat(heldByTheApplication.sockets()).extracting(IndirectSocket::id).containsExactlyInAnyOrder(
                "w1.run00001a", "w1.run00001b");
        assertThat(backend.of("/game-1").sockets()).hasSize(2);

        fromWorker(new SocketDisconnected("/game-1", "w1.run00001a", "client namespace disconnect"));
        assertThat(heldByTheApplication.sockets()).extracting(IndirectSocket::id).containsExactly("w1.run00001b");
        fromWorker(new SocketDisconnected("/game-1", "w1.run00001b", "client namespace disconnect"));
        assertThat(heldByTheApplication.sockets()).isEmpty();
        assertThat(backend.namespacesHeld()).isZero();

        // the namespace comes back: an instance the application kept sees its sockets as a new one does
        fromWorker(new SocketConnected("/game-1", "w1.run00001c", handshake()));
        assertThat(heldByTheApplication.sockets()).extracting(IndirectSocket::id).containsExactly("w1.run00001c");
    }

    @Test
    void manyGamesThatEndedLeaveNothingBehind() {
        backend.register(new Games());
        for (int game = 0; game < 1_000; game++) {
            fromWorker(new SocketConnected("/game-" + game, "w1.run00001s" + game, handshake()));
            fromWorker(new SocketDisconnected("/game-" + game, "w1.run00001s" + game, "transport close"));
        }
        assertThat(backend.namespacesHeld()).isZero();
        assertThat(backend.of("/game-7").sockets()).isEmpty();
    }

    @Test
    void emitsToNamespacesNotHandledHereShareOneSetOfCounters() {
        backend.register(new Games());
        for (int room = 0; room < 1_000; room++) {
            backend.of("/room-" + room).socket("w1.run00001s" + room).emit("hello");
            backend.of("/game-" + room).emit("tick");
        }
        // the spec of the handled dynamic namespace, and one for every name made up elsewhere
        assertThat(backend.stats().all()).extracting(NamespaceStats::spec)
                .containsExactlyInAnyOrder("^/game-\\d+$", DistributorBackend.UNHANDLED);
    }

    @Test
    void aNamespaceWhoseSubscribeFailedIsNotServedAndMayBeRegisteredOnceRedisIsBack() {
        IllegalStateException unreachable = new IllegalStateException("Redis is unreachable: cannot subscribe now");
        bus.subscribeFailure = unreachable;
        assertThatThrownBy(() -> backend.register(new Games())).isSameAs(unreachable);
        assertThat(backend.namespaces()).isEmpty();

        bus.subscribeFailure = null;
        backend.register(new Games());

        assertThat(backend.namespaces()).containsExactly("^/game-\\d+$");
        assertThat(bus.handlers).containsKey(CHANNELS.peers("^/game-\\d+$"));
    }
}
