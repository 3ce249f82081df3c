package io.github.siodistributor.backend.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.siodistributor.backend.Ack;
import io.github.siodistributor.backend.BroadcastOperator;
import io.github.siodistributor.backend.EventRejectedException;
import io.github.siodistributor.backend.IndirectNamespace;
import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.SocketArgs;
import io.github.siodistributor.backend.annotation.OnConnect;
import io.github.siodistributor.backend.annotation.OnDisconnect;
import io.github.siodistributor.backend.annotation.OnEvent;
import io.github.siodistributor.backend.annotation.OnServerSideEvent;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import io.github.siodistributor.backend.testfixtures.PackagePrivateHandlers;
import io.github.siodistributor.core.protocol.Handshake;
import io.github.siodistributor.core.protocol.Payload;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class AnnotatedNamespaceHandlerTest {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private final FakeNamespace namespace = new FakeNamespace("/chat");
    private final Handshake handshake = new Handshake(Map.of("Host", List.of("example")), Map.of("EIO", List.of("4")),
            "{\"token\":\"t\"}".getBytes(StandardCharsets.UTF_8), "10.0.0.1", "/socket.io/?EIO=4", 1234L);
    private final FakeSocket socket = new FakeSocket("w-1.3f2a8c10-0000-4000-8000-000000000001", namespace, handshake);

    private static SocketArgs args(String json) {
        return SocketArgs.wrap(Payload.ofJsonArray(json.getBytes(StandardCharsets.UTF_8)), MAPPER);
    }

    // ---- fakes ----------------------------------------------------------------------------------

    static final class RecordingAck implements Ack {
        private final boolean requested;
        final List<List<Object>> sent = new ArrayList<>();

        RecordingAck(boolean requested) {
            this.requested = requested;
        }

        @Override
        public boolean requested() {
            return requested;
        }

        @Override
        public void send(Object... args) {
            sent.add(java.util.Arrays.asList(args));
        }
    }

    static final class FakeSocket implements IndirectSocket {
        private final String id;
        private final IndirectNamespace namespace;
        private final Handshake handshake;
        final List<String> calls = new ArrayList<>();

        FakeSocket(String id, IndirectNamespace namespace, Handshake handshake) {
            this.id = id;
            this.namespace = namespace;
            this.handshake = handshake;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public IndirectNamespace namespace() {
            return namespace;
        }

        @Override
        public Handshake handshake() {
            return handshake;
        }

        @Override
        public void emit(String event, Object... args) {
            calls.add("emit " + event + " " + java.util.Arrays.toString(args));
        }

        @Override
        public java.util.concurrent.CompletableFuture<io.github.siodistributor.backend.SocketArgs> emitWithAck(
                String event, Object... args) {
            calls.add("emitWithAck " + event + " " + java.util.Arrays.toString(args));
            return new java.util.concurrent.CompletableFuture<>();
        }

        @Override
        public io.github.siodistributor.backend.AckEmitter timeout(java.time.Duration timeout) {
            return this;
        }

        @Override
        public void join(String... rooms) {
            calls.add("join " + String.join(",", rooms));
        }

        @Override
        public void leave(String... rooms) {
            calls.add("leave " + String.join(",", rooms));
        }

        @Override
        public void disconnect(boolean close) {
            calls.add(close ? "disconnect close" : "disconnect");
        }

        @Override
        public BroadcastOperator broadcast() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void setData(Object data) {
            calls.add("setData " + data);
        }

        @Override
        public Object data() {
            return null;
        }

        @Override
        public <T> T data(Class<T> type) {
            return null;
        }

        @Override
        public <T> T auth(Class<T> type) {
            return null;
        }
    }

    static final class FakeNamespace implements IndirectNamespace {
        private final String name;

        FakeNamespace(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public IndirectSocket socket(String socketId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Collection<IndirectSocket> sockets() {
            return List.of();
        }

        @Override
        public BroadcastOperator to(String... rooms) {
            throw new UnsupportedOperationException();
        }

        @Override
        public BroadcastOperator except(String... rooms) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void emit(String event, Object... args) {
            throw new UnsupportedOperationException();
        }

        @Override
        public BroadcastOperator asVolatile() {
            throw new UnsupportedOperationException();
        }

        @Override
        public BroadcastOperator compress(boolean compress) {
            throw new UnsupportedOperationException();
        }

        @Override
        public BroadcastOperator timeout(java.time.Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public java.util.concurrent.CompletableFuture<List<SocketArgs>> emitWithAck(String event, Object... args) {
            throw new UnsupportedOperationException();
        }

        @Override
        public java.util.concurrent.CompletableFuture<List<io.github.siodistributor.backend.RemoteSocket>>
                fetchSockets() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void socketsJoin(String... rooms) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void socketsLeave(String... rooms) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void disconnectSockets(boolean close) {
            throw new UnsupportedOperationException();
        }

        @Override
        public java.util.concurrent.CompletableFuture<java.util.Set<String>> allRooms() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void serverSideEmit(String event, Object... args) {
            throw new UnsupportedOperationException();
        }

        @Override
        public java.util.concurrent.CompletableFuture<List<SocketArgs>> serverSideEmitWithAck(
                java.time.Duration timeout, String event, Object... args) {
            throw new UnsupportedOperationException();
        }

        @Override
        public java.util.concurrent.CompletableFuture<List<SocketArgs>> serverSideEmitWithAck(String event,
                Object... args) {
            throw new UnsupportedOperationException();
        }
    }

    // ---- handlers -------------------------------------------------------------------------------

    public record Place(String room, int x) {
    }

    public record Say(String room, String text) {
    }

    @SocketNamespace("/chat")
    public static class ChatHandler {
        final List<List<Object>> calls = new ArrayList<>();

        @OnConnect
        public void connected(IndirectSocket socket, IndirectNamespace namespace, Handshake handshake) {
            calls.add(java.util.Arrays.asList("connect", socket, namespace, handshake));
        }

        @OnEvent("everything")
        public String everything(IndirectSocket socket, Handshake handshake, SocketArgs args, Ack ack, Say say,
                List<Integer> numbers, String missing, IndirectNamespace namespace) {
            calls.add(java.util.Arrays.asList("everything", socket, handshake, args, ack, say, numbers, missing,
                    namespace));
            return "ok " + say.text();
        }

        @OnEvent("interleaved")
        public void interleaved(String first, IndirectSocket socket, Integer second, Ack ack, Long third) {
            calls.add(java.util.Arrays.asList("interleaved", first, socket, second, ack, third));
        }

        @OnEvent("primitive")
        public int primitive(int value) {
            return value + 1;
        }

        @OnEvent("nothing")
        public void nothing(String value) {
            calls.add(java.util.Arrays.asList("nothing", value));
        }

        @OnEvent("several")
        public SocketArgs several() {
            return SocketArgs.of(MAPPER, 1, "two", Map.of("three", 3));
        }

        @OnEvent("echo")
        public SocketArgs echo(SocketArgs args) {
            return args;
        }

        @OnEvent("records")
        public int records(List<Say> says) {
            calls.add(java.util.Arrays.asList("records", says));
            return says.size();
        }

        @OnEvent("place")
        public void place(Place place) {
        }

        @OnEvent("null")
        public Object returnsNull() {
            return null;
        }

        @OnEvent("explicit")
        public void explicit(Ack ack) {
            ack.send("a", 2);
        }

        @OnEvent("rejects")
        public void rejects() {
            throw new EventRejectedException("not allowed");
        }

        @OnEvent("checked")
        public void checked() throws Exception {
            throw new Exception("checked failure");
        }

        @OnDisconnect
        public void disconnected(IndirectSocket socket, String reason, Handshake handshake) {
            calls.add(java.util.Arrays.asList("disconnect", socket, reason, handshake));
        }
    }

    private final ChatHandler chat = new ChatHandler();
    private final AnnotatedNamespaceHandler handler = new AnnotatedNamespaceHandler(chat, ChatHandler.class);

    // ---- binding --------------------------------------------------------------------------------

    @Test
    void readsTheNamespaceAndTheEvents() {
        assertThat(handler.namespace()).isEqualTo("/chat");
        assertThat(handler.events()).containsExactlyInAnyOrder("everything", "interleaved", "primitive", "nothing",
                "several", "echo", "records", "place", "null", "explicit", "rejects", "checked");
    }

    @SocketNamespace(value = "/fast", nonBlocking = true)
    public static class NonBlockingHandler {
    }

    /** One abstract handler for several games, each a bean of its own subclass (as Spring finds them). */
    @SocketNamespace("^/game-\\d+$")
    abstract static class BoardGameHandler {

        @OnEvent("move")
        public String move(String move) {
            return rules() + ":" + move;
        }

        abstract String rules();
    }

    static final class Chess extends BoardGameHandler {
        @Override
        String rules() {
            return "chess";
        }
    }

    @Test
    void theNamespaceAndTheHandlerMethodsMayBeInheritedFromASuperclass() {
        AnnotatedNamespaceHandler chess = new AnnotatedNamespaceHandler(new Chess(), Chess.class);
        assertThat(chess.namespace()).isEqualTo("^/game-\\d+$");
        assertThat(chess.events()).containsExactly("move");
    }

    @Test
    void handlersMayBlockUnlessDeclaredNonBlocking() {
        assertThat(handler.nonBlocking()).isFalse();
        assertThat(new AnnotatedNamespaceHandler(new NonBlockingHandler(), NonBlockingHandler.class).nonBlocking())
                .isTrue();
    }

    @Test
    void bindsConnectParametersByType() {
        handler.onConnect(socket);

        assertThat(chat.calls).containsExactly(List.of("connect", socket, namespace, handshake));
    }

    @Test
    void bindsEventParametersByTypeAndArgumentsInOrder() {
        SocketArgs args = args("[{\"room\":\"lobby\",\"text\":\"hi\"},[1,2,3]]");
        RecordingAck ack = new RecordingAck(true);

        handler.onEvent(socket, "everything", args, ack);

        assertThat(chat.calls).hasSize(1);
        List<Object> call = chat.calls.get(0);
        assertThat(call.get(1)).isSameAs(socket);
        assertThat(call.get(2)).isSameAs(handshake);
        assertThat(call.get(3)).isSameAs(args);
        assertThat(call.get(4)).isSameAs(ack);
        assertThat(call.get(5)).isEqualTo(new Say("lobby", "hi"));
        assertThat(call.get(6)).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
                .containsExactly(1, 2, 3).allSatisfy(n -> assertThat(n).isExactlyInstanceOf(Integer.class));
        assertThat(call.get(7)).as("a parameter past the last argument").isNull();
        assertThat(call.get(8)).isSameAs(namespace);
        assertThat(ack.sent).containsExactly(List.of("ok hi"));
    }

    @Test
    void onlyArgumentParametersConsumeArguments() {
        RecordingAck ack = new RecordingAck(false);

        handler.onEvent(socket, "interleaved", args("[\"first\",2,3]"), ack);

        assertThat(chat.calls).containsExactly(List.of("interleaved", "first", socket, 2, ack, 3L));
    }

    @Test
    void missingArgumentsAreNull() {
        handler.onEvent(socket, "interleaved", args("[\"only\"]"), new RecordingAck(false));
        handler.onEvent(socket, "nothing", args("[]"), new RecordingAck(false));

        assertThat(chat.calls.get(0)).containsExactly("interleaved", "only", socket, null, chat.calls.get(0).get(4),
                null);
        assertThat(chat.calls.get(1)).containsExactly("nothing", null);
    }

    @Test
    void convertsGenericPayloadsToTheirElementType() {
        RecordingAck ack = new RecordingAck(true);

        handler.onEvent(socket, "records", args("[[{\"room\":\"a\",\"text\":\"1\"},{\"room\":\"b\",\"text\":\"2\"}]]"),
                ack);

        assertThat(chat.calls.get(0).get(1)).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
                .containsExactly(new Say("a", "1"), new Say("b", "2"));
        assertThat(ack.sent).containsExactly(List.of(2));
    }

    @Test
    void bindsAPrimitiveAndAcksTheReturnValue() {
        RecordingAck ack = new RecordingAck(true);

        handler.onEvent(socket, "primitive", args("[41]"), ack);

        assertThat(ack.sent).containsExactly(List.of(42));
    }

    @Test
    void rejectsAMissingPrimitive() {
        RecordingAck ack = new RecordingAck(true);

        assertThatExceptionOfType(EventRejectedException.class)
                .isThrownBy(() -> handler.onEvent(socket, "primitive", args("[]"), ack))
                .withMessage("argument 0 is missing or null: a number expected");
        assertThat(ack.sent).isEmpty();
    }

    @Test
    void rejectsANullPrimitive() {
        RecordingAck ack = new RecordingAck(true);

        assertThatExceptionOfType(EventRejectedException.class)
                .isThrownBy(() -> handler.onEvent(socket, "primitive", args("[null]"), ack))
                .withMessageContaining("argument 0");
        assertThat(ack.sent).isEmpty();
    }

    @Test
    void anArgumentThatCannotBeConvertedIsRejectedSayingWhatWasExpectedWithoutTheApplicationsClassNames() {
        RecordingAck ack = new RecordingAck(true);

        assertThatExceptionOfType(EventRejectedException.class)
                .isThrownBy(() -> handler.onEvent(socket, "records", args("[\"not a list\"]"), ack))
                .withMessage("argument 0 cannot be converted: an array expected");
        assertThatExceptionOfType(EventRejectedException.class)
                .isThrownBy(() -> handler.onEvent(socket, "records", args("[[\"not a record\"]]"), ack))
                .withMessage("argument 0 cannot be converted: an object expected at [0]");
        assertThatExceptionOfType(EventRejectedException.class)
                .isThrownBy(() -> handler.onEvent(socket, "place", args("[{\"room\":\"r1\",\"x\":\"one\"}]"), ack))
                .withMessage("argument 0 cannot be converted: a number expected at x");
        assertThatExceptionOfType(EventRejectedException.class)
                .isThrownBy(() -> handler.onEvent(socket, "primitive", args("[{\"a\":1}]"), ack))
                .withMessage("argument 0 cannot be converted: a number expected");
        assertThat(ack.sent).isEmpty();
    }

    @Test
    void aVoidMethodSendsNoAck() {
        RecordingAck ack = new RecordingAck(true);

        handler.onEvent(socket, "nothing", args("[\"x\"]"), ack);

        assertThat(chat.calls).containsExactly(List.of("nothing", "x"));
        assertThat(ack.sent).isEmpty();
    }

    @Test
    void aNullReturnValueIsAckedAsNull() {
        RecordingAck ack = new RecordingAck(true);

        handler.onEvent(socket, "null", args("[]"), ack);

        assertThat(ack.sent).hasSize(1);
        assertThat(ack.sent.get(0)).containsExactly((Object) null);
    }

    @Test
    void aVoidMethodMayAckExplicitly() {
        RecordingAck ack = new RecordingAck(true);

        handler.onEvent(socket, "explicit", args("[]"), ack);

        assertThat(ack.sent).containsExactly(List.of("a", 2));
    }

    @Test
    void returningSocketArgsAcksWithSeveralArguments() {
        RecordingAck ack = new RecordingAck(true);

        handler.onEvent(socket, "several", args("[]"), ack);

        assertThat(ack.sent).hasSize(1);
        assertThat(ack.sent.get(0)).singleElement().isInstanceOfSatisfying(SocketArgs.class, several -> {
            assertThat(several.json()).isEqualTo("[1,\"two\",{\"three\":3}]");
            assertThat(several.size()).isEqualTo(3);
            assertThat(several.get(1, String.class)).isEqualTo("two");
        });
    }

    @Test
    void returningTheReceivedSocketArgsPassesTheBytesThroughUnchanged() {
        byte[] bytes = "[ 1.50e3 , {\"z\":1,\"a\":\"\\u00e9\"}, \"😀\" ]".getBytes(StandardCharsets.UTF_8);
        byte[] copy = bytes.clone();
        SocketArgs received = SocketArgs.wrap(Payload.ofJsonArray(bytes), MAPPER);
        RecordingAck ack = new RecordingAck(true);

        handler.onEvent(socket, "echo", received, ack);

        assertThat(ack.sent).hasSize(1);
        assertThat(ack.sent.get(0)).singleElement().isInstanceOfSatisfying(SocketArgs.class, echoed -> {
            assertThat(echoed.payload().jsonArray()).isSameAs(bytes).isEqualTo(copy);
        });
    }

    @Test
    void bindsDisconnectParametersAndTheReason() {
        handler.onDisconnect(socket, "transport close");

        assertThat(chat.calls).containsExactly(List.of("disconnect", socket, "transport close", handshake));
    }

    @Test
    void handlerExceptionsPropagateAsThrown() {
        assertThatExceptionOfType(EventRejectedException.class)
                .isThrownBy(() -> handler.onEvent(socket, "rejects", args("[]"), new RecordingAck(true)))
                .withMessage("not allowed");
        assertThatExceptionOfType(DistributorBackend.HandlerInvocationException.class)
                .isThrownBy(() -> handler.onEvent(socket, "checked", args("[]"), new RecordingAck(true)))
                .havingCause().withMessage("checked failure");
    }

    @Test
    void anUnknownEventIsRejectedWhenTheClientWaitsForAnAck() {
        RecordingAck ack = new RecordingAck(true);

        assertThatExceptionOfType(EventRejectedException.class)
                .isThrownBy(() -> handler.onEvent(socket, "no-such-event", args("[1]"), ack))
                .withMessageContaining("no-such-event").withMessageContaining("/chat");
        assertThat(chat.calls).isEmpty();
    }

    @Test
    void anUnknownEventWithoutAckIsIgnored() {
        RecordingAck ack = new RecordingAck(false);

        handler.onEvent(socket, "no-such-event", args("[1]"), ack);

        assertThat(chat.calls).isEmpty();
        assertThat(ack.sent).isEmpty();
        assertThat(socket.calls).isEmpty();
    }

    public static class BaseHandler {
        public final List<String> calls = new ArrayList<>();

        @OnEvent("inherited")
        public String inherited(String value) {
            calls.add(value);
            return "base " + value;
        }
    }

    @SocketNamespace("/derived")
    public static class DerivedHandler extends BaseHandler {
    }

    @Test
    void findsPublicHandlerMethodsInheritedFromSuperclasses() {
        DerivedHandler bean = new DerivedHandler();
        AnnotatedNamespaceHandler derived = new AnnotatedNamespaceHandler(bean, DerivedHandler.class);
        RecordingAck ack = new RecordingAck(true);

        derived.onEvent(socket, "inherited", args("[\"v\"]"), ack);

        assertThat(derived.events()).containsExactly("inherited");
        assertThat(bean.calls).containsExactly("v");
        assertThat(ack.sent).containsExactly(List.of("base v"));
    }

    @Test
    void worksForAPackagePrivateHandlerClassOrRejectsItAtStartUp() {
        Object bean = PackagePrivateHandlers.newHandler();
        AnnotatedNamespaceHandler packagePrivate;
        try {
            packagePrivate = new AnnotatedNamespaceHandler(bean, PackagePrivateHandlers.handlerClass());
        } catch (IllegalStateException | IllegalArgumentException startUpError) {
            return; // failing fast at start-up is the documented alternative to working
        }
        RecordingAck ack = new RecordingAck(true);

        packagePrivate.onConnect(socket);
        packagePrivate.onEvent(socket, "ping", args("[\"x\"]"), ack);

        assertThat(PackagePrivateHandlers.connects(bean)).isEqualTo(1);
        assertThat(ack.sent).containsExactly(List.of("pong x"));
    }

    @Test
    void handlerMethodsOfAPackagePrivateBaseClassRunThroughTheBridgesJavacMakesForThem() {
        Object bean = new PackagePrivateHandlers.PublicOverPackagePrivateBase();
        AnnotatedNamespaceHandler inherits = new AnnotatedNamespaceHandler(bean,
                PackagePrivateHandlers.PublicOverPackagePrivateBase.class);
        RecordingAck ack = new RecordingAck(true);

        inherits.onConnect(socket);
        inherits.onEvent(socket, "ping", args("[\"x\"]"), ack);

        assertThat(PackagePrivateHandlers.connects(bean)).isEqualTo(1);
        assertThat(ack.sent).containsExactly(List.of("pong x"));
    }

    /** A generic base whose method a handler overrides: javac adds a bridge method carrying the annotation. */
    public abstract static class TypedHandler<T> {
        public abstract Object handle(T value);
    }

    @SocketNamespace("/typed")
    public static class StringHandler extends TypedHandler<String> {
        public final List<String> calls = new ArrayList<>();

        @OnEvent("typed")
        @Override
        public String handle(String value) {
            calls.add(value);
            return "got " + value;
        }

        @OnConnect
        public void connected(IndirectSocket socket) {
            calls.add("connect");
        }
    }

    @Test
    void aMethodOverridingAGenericOrCovariantOneIsOneHandlerNotTwo() {
        StringHandler bean = new StringHandler();
        AnnotatedNamespaceHandler typed = new AnnotatedNamespaceHandler(bean, StringHandler.class);
        RecordingAck ack = new RecordingAck(true);

        typed.onConnect(socket);
        typed.onEvent(socket, "typed", args("[\"v\"]"), ack);

        assertThat(bean.calls).containsExactly("connect", "v");
        assertThat(ack.sent).containsExactly(List.of("got v"));
    }

    /** Answers later: futures the test completes. */
    @SocketNamespace("/later")
    public static class LaterHandler {
        final CompletableFuture<String> answer = new CompletableFuture<>();

        @OnEvent("later")
        public CompletableFuture<String> later() {
            return answer;
        }

        @OnEvent("chained")
        public CompletableFuture<String> chained() {
            return answer.thenApply(String::trim);
        }

        @OnEvent("acked")
        public CompletableFuture<String> acked(Ack ack) {
            // the method answers through its Ack; the stage's value is not sent in its place
            return answer.thenApply(value -> {
                ack.send("explicit " + value);
                return value;
            });
        }

        @OnEvent("stage")
        public CompletionStage<SocketArgs> stage() {
            return CompletableFuture.completedFuture(SocketArgs.of(MAPPER, 1, "two"));
        }
    }

    /** An ack as the backend gives handlers: it also answers a failure that comes later. */
    static final class RecordingFailableAck implements FailableAck {
        final List<Object> answers = new ArrayList<>();

        @Override
        public boolean requested() {
            return true;
        }

        @Override
        public void send(Object... args) {
            answers.add(java.util.Arrays.asList(args));
        }

        @Override
        public void fail(Throwable failure) {
            answers.add(failure);
        }
    }

    @Test
    void aReturnedCompletionStageAcksOnceItCompletes() {
        LaterHandler bean = new LaterHandler();
        AnnotatedNamespaceHandler later = new AnnotatedNamespaceHandler(bean, LaterHandler.class);
        RecordingFailableAck ack = new RecordingFailableAck();
        RecordingFailableAck stageAck = new RecordingFailableAck();

        RecordingFailableAck explicitAck = new RecordingFailableAck();

        later.onEvent(socket, "later", args("[]"), ack);
        later.onEvent(socket, "stage", args("[]"), stageAck);
        later.onEvent(socket, "acked", args("[]"), explicitAck);
        assertThat(ack.answers).as("not the future itself, nor anything before it completes").isEmpty();
        bean.answer.complete("done");

        assertThat(ack.answers).containsExactly(List.of("done"));
        assertThat(explicitAck.answers).containsExactly(List.of("explicit done"));
        assertThat(stageAck.answers).hasSize(1);
        assertThat(((List<?>) stageAck.answers.get(0)).get(0)).isInstanceOfSatisfying(SocketArgs.class,
                raw -> assertThat(raw.json()).isEqualTo("[1,\"two\"]"));
    }

    @Test
    void aReturnedCompletionStageThatFailsAnswersAsTheHandlersExceptionWould() {
        LaterHandler bean = new LaterHandler();
        AnnotatedNamespaceHandler later = new AnnotatedNamespaceHandler(bean, LaterHandler.class);
        RecordingFailableAck ack = new RecordingFailableAck();

        RecordingFailableAck chainedAck = new RecordingFailableAck();

        later.onEvent(socket, "later", args("[]"), ack);
        later.onEvent(socket, "chained", args("[]"), chainedAck);
        assertThat(ack.answers).isEmpty();
        EventRejectedException rejected = new EventRejectedException("no such room");
        bean.answer.completeExceptionally(rejected);

        assertThat(ack.answers).containsExactly(rejected);
        assertThat(chainedAck.answers).as("what failed, not the CompletionException around it")
                .containsExactly(rejected);
    }

    @SocketNamespace("/reserved")
    public static class ReservedEventHandler {
        @OnEvent("disconnect")
        public void leaving() {
        }
    }

    @SocketNamespace("/reserved")
    public static class ReservedServerSideEventHandler {
        @OnServerSideEvent("connect")
        public void peerArrived() {
        }
    }

    @Test
    void rejectsAReservedEventNameWhichNoClientOrBackendEmits() {
        assertThatIllegalStateException()
                .isThrownBy(() -> new AnnotatedNamespaceHandler(new ReservedEventHandler(), ReservedEventHandler.class))
                .withMessageContaining("'disconnect'").withMessageContaining("reserved")
                .withMessageContaining("@OnDisconnect");
        assertThatIllegalStateException()
                .isThrownBy(() -> new AnnotatedNamespaceHandler(new ReservedServerSideEventHandler(),
                        ReservedServerSideEventHandler.class))
                .withMessageContaining("'connect'").withMessageContaining("reserved");
    }

    // ---- mistakes fail at construction ----------------------------------------------------------

    @SocketNamespace("/dup")
    public static class TwoMethodsForOneEvent {
        @OnEvent("twice")
        public void first() {
        }

        @OnEvent("twice")
        public void second() {
        }
    }

    @Test
    void rejectsTwoMethodsForOneEvent() {
        assertThatIllegalStateException()
                .isThrownBy(() -> new AnnotatedNamespaceHandler(new TwoMethodsForOneEvent(), TwoMethodsForOneEvent.class))
                .withMessageContaining("'twice'").withMessageContaining("/dup");
    }

    @SocketNamespace("/bad")
    public static class StringOnConnect {
        @OnConnect
        public void connected(String what) {
        }
    }

    @SocketNamespace("/bad")
    public static class SocketArgsOnConnect {
        @OnConnect
        public void connected(SocketArgs args) {
        }
    }

    @SocketNamespace("/bad")
    public static class AckOnDisconnect {
        @OnDisconnect
        public void disconnected(Ack ack) {
        }
    }

    @SocketNamespace("/bad")
    public static class PayloadOnDisconnect {
        @OnDisconnect
        public void disconnected(String reason, Say say) {
        }
    }

    @Test
    void rejectsParametersAConnectOrDisconnectCannotBind() {
        for (Class<?> type : List.of(StringOnConnect.class, SocketArgsOnConnect.class, AckOnDisconnect.class,
                PayloadOnDisconnect.class)) {
            assertThatIllegalStateException().as(type.getSimpleName())
                    .isThrownBy(() -> new AnnotatedNamespaceHandler(type.getDeclaredConstructor().newInstance(), type))
                    .withMessageContaining("cannot bind parameter");
        }
    }

    @SocketNamespace("/hidden")
    public static class PackagePrivateMethod {
        @OnEvent("hidden")
        void hidden() {
        }
    }

    @SocketNamespace("/hidden")
    public static class PrivateMethod {
        @OnConnect
        private void hidden() {
        }
    }

    @SocketNamespace("/hidden")
    public static class ProtectedMethod {
        @OnDisconnect
        protected void hidden() {
        }
    }

    @Test
    void rejectsNonPublicHandlerMethods() {
        for (Class<?> type : List.of(PackagePrivateMethod.class, PrivateMethod.class, ProtectedMethod.class)) {
            assertThatIllegalStateException().as(type.getSimpleName())
                    .isThrownBy(() -> new AnnotatedNamespaceHandler(type.getDeclaredConstructor().newInstance(), type))
                    .withMessageContaining("hidden").withMessageContaining("must be public");
        }
    }

    public static class NotAnnotated {
        @OnEvent("x")
        public void x() {
        }
    }

    @Test
    void rejectsAClassWithoutSocketNamespace() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new AnnotatedNamespaceHandler(new NotAnnotated(), NotAnnotated.class))
                .withMessageContaining(NotAnnotated.class.getName()).withMessageContaining("@SocketNamespace");
    }

    @SocketNamespace("chat")
    public static class NoLeadingSlash {
    }

    @Test
    void rejectsANamespaceWithoutALeadingSlash() {
        assertThatThrownBy(() -> new AnnotatedNamespaceHandler(new NoLeadingSlash(), NoLeadingSlash.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must start with '/'");
    }

    // ---- server-side events ---------------------------------------------------------------------

    @SocketNamespace("^/game-\\d+$")
    public static class GameHandler {
        final List<List<Object>> calls = new ArrayList<>();

        @OnServerSideEvent("sync")
        public String sync(IndirectNamespace from, SocketArgs args, Say say, Ack ack, int round, String missing) {
            calls.add(java.util.Arrays.asList("sync", from, args, say, ack, round, missing));
            return "synced " + say.text() + " " + round;
        }

        @OnEvent("sync")
        public String clientSync(IndirectSocket socket, String value) {
            calls.add(java.util.Arrays.asList("client sync", socket, value));
            return "client " + value;
        }

        @OnServerSideEvent("explicit")
        public void explicit(Ack ack, String value) {
            ack.send("got", value);
        }

        @OnServerSideEvent("quiet")
        public void quiet(IndirectNamespace from, List<Integer> numbers) {
            calls.add(java.util.Arrays.asList("quiet", from, numbers));
        }

        @OnServerSideEvent("raw")
        public SocketArgs raw(SocketArgs args) {
            return args;
        }

        @OnServerSideEvent("count")
        public long count(long value) {
            return value * 2;
        }

        @OnServerSideEvent("rejects")
        public String rejects() {
            throw new EventRejectedException("not now");
        }
    }

    private final FakeNamespace game = new FakeNamespace("/game-7");
    private final GameHandler games = new GameHandler();
    private final AnnotatedNamespaceHandler gameHandler = new AnnotatedNamespaceHandler(games, GameHandler.class);

    @Test
    void bindsServerSideEventParametersByTypeAndArgumentsInOrder() {
        SocketArgs args = args("[{\"room\":\"r\",\"text\":\"hello\"},3]");
        RecordingAck ack = new RecordingAck(true);

        gameHandler.onServerSideEvent(game, "sync", args, ack);

        assertThat(games.calls).hasSize(1);
        List<Object> call = games.calls.get(0);
        assertThat(call.get(1)).isSameAs(game);
        assertThat(call.get(2)).isSameAs(args);
        assertThat(call.get(3)).isEqualTo(new Say("r", "hello"));
        assertThat(call.get(4)).isSameAs(ack);
        assertThat(call.get(5)).isEqualTo(3);
        assertThat(call.get(6)).as("a parameter past the last argument").isNull();
        assertThat(ack.sent).containsExactly(List.of("synced hello 3"));
    }

    @Test
    void aServerSideEventAndAClientEventOfTheSameNameHaveTheirOwnMethods() {
        RecordingAck serverSide = new RecordingAck(true);
        RecordingAck client = new RecordingAck(true);
        FakeSocket player = new FakeSocket("w-1.3f2a8c10-0000-4000-8000-000000000009", game, handshake);

        gameHandler.onEvent(player, "sync", args("[\"from a client\"]"), client);
        gameHandler.onServerSideEvent(game, "sync", args("[{\"room\":\"r\",\"text\":\"peer\"},1]"), serverSide);

        assertThat(client.sent).containsExactly(List.of("client from a client"));
        assertThat(serverSide.sent).containsExactly(List.of("synced peer 1"));
        assertThat(games.calls).extracting(call -> call.get(0)).containsExactly("client sync", "sync");
        assertThat(gameHandler.events()).as("client events only").containsExactly("sync");
    }

    @Test
    void aServerSideEventMethodMayAckExplicitlyOrNotAtAll() {
        RecordingAck explicit = new RecordingAck(true);
        RecordingAck quiet = new RecordingAck(true);

        gameHandler.onServerSideEvent(game, "explicit", args("[\"v\"]"), explicit);
        gameHandler.onServerSideEvent(game, "quiet", args("[[1,2]]"), quiet);

        assertThat(explicit.sent).containsExactly(List.of("got", "v"));
        assertThat(quiet.sent).as("a void method sends no ack").isEmpty();
        assertThat(games.calls).containsExactly(List.of("quiet", game, List.of(1, 2)));
    }

    @Test
    void aServerSideEventReturnValueIsTheAckAsIsForSocketArgs() {
        RecordingAck raw = new RecordingAck(true);
        RecordingAck count = new RecordingAck(true);
        SocketArgs args = args("[1,\"two\"]");

        gameHandler.onServerSideEvent(game, "raw", args, raw);
        gameHandler.onServerSideEvent(game, "count", args("[21]"), count);

        assertThat(raw.sent).hasSize(1);
        assertThat(raw.sent.get(0)).singleElement().isSameAs(args);
        assertThat(count.sent).containsExactly(List.of(42L));
    }

    @Test
    void aServerSideEventWithAMissingPrimitiveIsRejected() {
        RecordingAck ack = new RecordingAck(true);

        assertThatExceptionOfType(EventRejectedException.class)
                .isThrownBy(() -> gameHandler.onServerSideEvent(game, "count", args("[]"), ack))
                .withMessage("argument 0 is missing or null: a number expected");
        assertThat(ack.sent).isEmpty();
    }

    @Test
    void aServerSideEventHandlersExceptionPropagates() {
        assertThatExceptionOfType(EventRejectedException.class)
                .isThrownBy(() -> gameHandler.onServerSideEvent(game, "rejects", args("[]"), new RecordingAck(true)))
                .withMessage("not now");
    }

    @Test
    void anUnknownServerSideEventIsRejectedWhenTheSenderWaitsForAnAck() {
        RecordingAck ack = new RecordingAck(true);

        assertThatExceptionOfType(EventRejectedException.class)
                .isThrownBy(() -> gameHandler.onServerSideEvent(game, "no-such-event", args("[]"), ack))
                .withMessageContaining("server-side event 'no-such-event'")
                .withMessageContaining("^/game-\\d+$");
        assertThat(ack.sent).isEmpty();
        assertThat(games.calls).isEmpty();
    }

    @Test
    void anUnknownServerSideEventWithoutAckIsIgnored() {
        RecordingAck ack = new RecordingAck(false);

        gameHandler.onServerSideEvent(game, "no-such-event", args("[1]"), ack);
        // an event name known only as a client event is unknown as a server-side event
        chat.calls.clear();
        handler.onServerSideEvent(namespace, "everything", args("[]"), ack);

        assertThat(games.calls).isEmpty();
        assertThat(chat.calls).isEmpty();
        assertThat(ack.sent).isEmpty();
    }

    @Test
    void aClientEventIsNotHandledByAServerSideEventMethod() {
        RecordingAck ack = new RecordingAck(true);

        assertThatExceptionOfType(EventRejectedException.class)
                .isThrownBy(() -> gameHandler.onEvent(socket, "explicit", args("[\"v\"]"), ack))
                .withMessageContaining("no handler for event 'explicit'");
        assertThat(ack.sent).isEmpty();
    }

    @SocketNamespace("/bad")
    public static class SocketOnServerSideEvent {
        @OnServerSideEvent("e")
        public void e(IndirectSocket socket) {
        }
    }

    @SocketNamespace("/bad")
    public static class HandshakeOnServerSideEvent {
        @OnServerSideEvent("e")
        public void e(String value, Handshake handshake) {
        }
    }

    @Test
    void aServerSideEventMethodCannotTakeASocketOrAHandshake() {
        for (Class<?> type : List.of(SocketOnServerSideEvent.class, HandshakeOnServerSideEvent.class)) {
            assertThatIllegalStateException().as(type.getSimpleName())
                    .isThrownBy(() -> new AnnotatedNamespaceHandler(type.getDeclaredConstructor().newInstance(), type))
                    .withMessageContaining("cannot bind parameter")
                    .withMessageContaining("a server-side event comes from another backend, not from a socket");
        }
    }

    @SocketNamespace("/dup")
    public static class TwoMethodsForOneServerSideEvent {
        @OnServerSideEvent("twice")
        public void first() {
        }

        @OnServerSideEvent("twice")
        public String second(String value) {
            return value;
        }
    }

    @Test
    void rejectsTwoMethodsForOneServerSideEvent() {
        assertThatIllegalStateException()
                .isThrownBy(() -> new AnnotatedNamespaceHandler(new TwoMethodsForOneServerSideEvent(),
                        TwoMethodsForOneServerSideEvent.class))
                .withMessageContaining("server-side event 'twice'").withMessageContaining("/dup")
                .withMessageContaining("two handler methods");
    }

    @SocketNamespace("/hidden")
    public static class PackagePrivateServerSideEventMethod {
        @OnServerSideEvent("hidden")
        String hidden() {
            return "";
        }
    }

    @Test
    void rejectsANonPublicServerSideEventMethod() {
        assertThatIllegalStateException()
                .isThrownBy(() -> new AnnotatedNamespaceHandler(new PackagePrivateServerSideEventMethod(),
                        PackagePrivateServerSideEventMethod.class))
                .withMessageContaining("hidden").withMessageContaining("must be public");
    }

    // ---- pattern namespaces ---------------------------------------------------------------------

    @Test
    void aPatternNamespaceIsAccepted() {
        assertThat(gameHandler.namespace()).isEqualTo("^/game-\\d+$");
        assertThat(gameHandler.toString()).contains(GameHandler.class.getName(), "^/game-\\d+$");
    }

    @SocketNamespace("^/game-(\\d+")
    public static class InvalidPattern {
    }

    @Test
    void anInvalidPatternNamespaceIsRejectedNamingTheClass() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new AnnotatedNamespaceHandler(new InvalidPattern(), InvalidPattern.class))
                .withMessageStartingWith("@SocketNamespace(\"^/game-(\\d+\") on " + InvalidPattern.class.getName())
                .withMessageContaining("is not a valid regular expression")
                .withMessageContaining("Unclosed group");
    }
}
