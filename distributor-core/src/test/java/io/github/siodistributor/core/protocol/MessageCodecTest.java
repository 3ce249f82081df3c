package io.github.siodistributor.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.siodistributor.core.protocol.Message.AckReply;
import io.github.siodistributor.core.protocol.Message.Broadcast;
import io.github.siodistributor.core.protocol.Message.ClientAck;
import io.github.siodistributor.core.protocol.Message.ConnectDecision;
import io.github.siodistributor.core.protocol.Message.DisconnectSocket;
import io.github.siodistributor.core.protocol.Message.EmitToSocket;
import io.github.siodistributor.core.protocol.Message.EmitWithAck;
import io.github.siodistributor.core.protocol.Message.JoinRooms;
import io.github.siodistributor.core.protocol.Message.LeaveRooms;
import io.github.siodistributor.core.protocol.Message.SocketConnected;
import io.github.siodistributor.core.protocol.Message.SocketDisconnected;
import io.github.siodistributor.core.protocol.Message.SocketEvent;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class MessageCodecTest {

    private static final String SOCKET = "w-1." + new UUID(0x1234_5678_9abc_def0L, 0x0fed_cba9_8765_4321L);
    private static final String UNICODE = "/чат-日本語-😀-é\u0000\u00ff";

    // type bytes as docs/protocol.md and MessageCodec define them
    private static final int SOCKET_EVENT = 2;
    private static final int JOIN_ROOMS = 12;
    private static final int DISCONNECT_SOCKET = 14;
    private static final int SOCKET_CONNECTED = 1;

    private static Payload json(String text) {
        return Payload.ofJsonArray(text.getBytes(StandardCharsets.UTF_8));
    }

    private static Handshake handshake() {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("User-Agent", List.of("node-XMLHttpRequest"));
        headers.put("X-Multi", List.of("a", "b", "ünïcödé 😀"));
        headers.put("X-Empty", List.of());
        Map<String, List<String>> query = new LinkedHashMap<>();
        query.put("EIO", List.of("4"));
        query.put("transport", List.of("websocket"));
        query.put("name", List.of("Zoë 日本"));
        return new Handshake(headers, query, "{\"token\":\"s3cr3t\"}".getBytes(StandardCharsets.UTF_8), "127.0.0.1",
                "/socket.io/?EIO=4&transport=websocket", 1_700_000_000_123L);
    }

    /** One of every message type, with a few variants; the corpus for round trips and truncations. */
    static List<Message> samples() {
        List<Message> messages = new ArrayList<>();
        messages.add(new SocketConnected("/chat", SOCKET, handshake()));
        messages.add(new SocketConnected(UNICODE, SOCKET, new Handshake(Map.of(), Map.of(), new byte[] {'{', '}'},
                "", "", 0)));
        messages.add(new SocketConnected("/", SOCKET, new Handshake(Map.of(), Map.of(), new byte[] {'{', '}'},
                "::1", "/", -1L)));
        messages.add(new SocketEvent("/chat", SOCKET, "say", SocketEvent.NO_ACK, json("[\"hi\",{\"a\":[1,2]}]")));
        messages.add(new SocketEvent("/chat", SOCKET, "say", 0, Payload.empty()));
        messages.add(new EmitWithAck("/chat", SOCKET, "question", json("[1,\"two\"]"), "backend-1", 0));
        messages.add(new EmitWithAck("/chat", SOCKET, "q", Payload.empty(), "b", Long.MAX_VALUE));
        messages.add(new ClientAck("/chat", SOCKET, 7, json("[\"answer\"]"), ""));
        messages.add(new ClientAck("/chat", SOCKET, 8, Payload.empty(), "socket gone"));
        messages.add(new ConnectDecision("/chat", SOCKET, "b-1", true, "", new byte[0]));
        messages.add(new ConnectDecision("/chat", SOCKET, "b-1", false, "not welcome", "{\"retry\":30}".getBytes(
                StandardCharsets.UTF_8)));
        messages.add(new SocketEvent("/chat", SOCKET, "upload", 3, Payload.of(
                "[{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]".getBytes(
                        StandardCharsets.UTF_8), List.of(new byte[] {1, 2, 3}, new byte[0]))));
        messages.add(new SocketEvent("/chat", SOCKET, "say", 1, json("[1]")));
        messages.add(new SocketEvent("/chat", SOCKET, "say", Integer.MAX_VALUE + 1L, json("[1]")));
        messages.add(new SocketEvent("/chat", SOCKET, "say", Long.MAX_VALUE, json("[1]")));
        messages.add(new SocketEvent("/chat", SOCKET, "say", Long.MIN_VALUE, json("[1]")));
        messages.add(new SocketEvent(UNICODE, SOCKET, "😀 évènement", 42, json("[\"日本語\",\"😀\"]")));
        messages.add(new SocketDisconnected("/chat", SOCKET, "transport close"));
        messages.add(new SocketDisconnected("/chat", SOCKET, ""));
        messages.add(new EmitToSocket("/chat", SOCKET, "said", json("[{\"room\":\"r\",\"text\":\"x\"}]")));
        messages.add(new EmitToSocket(UNICODE, SOCKET, "ünï", Payload.empty()));
        messages.add(new AckReply("/chat", SOCKET, 7, json("[\"ok\"]")));
        messages.add(new AckReply("/chat", SOCKET, Long.MAX_VALUE, Payload.empty()));
        messages.add(new AckReply("/chat", SOCKET, -1, json("[null]")));
        messages.add(new JoinRooms("/chat", SOCKET, List.of("lobby", "日本", "😀")));
        messages.add(new JoinRooms("/chat", SOCKET, List.of()));
        messages.add(new LeaveRooms("/chat", SOCKET, List.of("lobby")));
        messages.add(new LeaveRooms("/chat", SOCKET, List.of()));
        messages.add(new DisconnectSocket("/chat", SOCKET));
        messages.add(new DisconnectSocket(UNICODE, "x"));
        messages.add(new Broadcast("/chat", List.of(), List.of(), "said", json("[1,\"two\",{\"3\":3}]")));
        messages.add(new Broadcast("/chat", List.of("a", "b"), List.of(SOCKET), "said", Payload.empty()));
        messages.add(new Broadcast(UNICODE, List.of("ünï"), List.of("😀"), "ëvent", json("[\"😀\"]")));
        messages.add(new Broadcast("/chat", List.of("a"), List.of(), "tick", json("[1]"), true));
        messages.add(new DisconnectSocket("/chat", SOCKET, true));
        messages.add(new Message.SetSocketData("/chat", SOCKET, "{\"name\":\"Zoë\"}".getBytes(StandardCharsets.UTF_8)));
        messages.add(new Message.SetSocketData("/chat", SOCKET, "null".getBytes(StandardCharsets.UTF_8)));
        messages.add(new Message.BroadcastWithAck("/chat", List.of("r"), List.of(SOCKET), "q", json("[1]"), "b-1", 5));
        messages.add(new Message.BroadcastWithAck(UNICODE, List.of(), List.of(), "ë", Payload.of(
                "[{\"_placeholder\":true,\"num\":0}]".getBytes(StandardCharsets.UTF_8), List.of(new byte[] {9})),
                "b", Long.MAX_VALUE));
        messages.add(new Message.BroadcastSent("/chat", "w-1", 5, 0));
        messages.add(new Message.BroadcastSent("/chat", "w-1", 5, Integer.MAX_VALUE));
        messages.add(new Message.FetchSockets("/chat", List.of("r1", "r2"), List.of("x"), "b-1", 6));
        messages.add(new Message.FetchSockets("/", List.of(), List.of(), "b", 0));
        messages.add(new Message.SocketsFetched("/chat", "w-1", 6, 0, 1, List.of(new Message.SocketInfo(SOCKET,
                handshake(), List.of(SOCKET, "lobby"), "{\"a\":1}".getBytes(StandardCharsets.UTF_8)))));
        messages.add(new Message.SocketsFetched("/chat", "w-1", 7, 0, 1, List.of()));
        messages.add(new Message.SocketsFetched("/chat", "w-1", 7, 299, 300, List.of()));
        messages.add(new Message.SocketsJoin("/chat", List.of("a"), List.of(), List.of("b", "日本")));
        messages.add(new Message.SocketsLeave("/chat", List.of(), List.of("a"), List.of("b")));
        messages.add(new Message.DisconnectSockets("/chat", List.of("a"), List.of("b"), false));
        messages.add(new Message.DisconnectSockets("/chat", List.of(), List.of(), true));
        messages.add(new Message.FetchRooms("/chat", "b-1", 8));
        messages.add(new Message.RoomsFetched("/chat", "w-2", 8, 0, 1, List.of("lobby", "😀")));
        messages.add(new Message.RoomsFetched("/chat", "w-2", 8, 1, 2, List.of()));
        messages.add(new Message.ServerSideEmit("/chat", "b-1", Message.ServerSideEmit.NO_ACK, "hello", json("[1]")));
        messages.add(new Message.ServerSideEmit(UNICODE, "b-2", 9, "ping", Payload.empty()));
        messages.add(new Message.ServerSideAck("/chat", "b-2", 9, json("[\"pong\"]")));
        messages.add(new Message.Custom("reload", "w-1", "config".getBytes(StandardCharsets.UTF_8)));
        messages.add(new Message.Custom("😀", "", new byte[0]));
        messages.add(new Message.SocketRecovered("/chat", SOCKET, handshake(), List.of(SOCKET, "lobby", "日本"),
                "{\"name\":\"Zoë\"}".getBytes(StandardCharsets.UTF_8), "backend instance lost"));
        messages.add(new Message.SocketRecovered(UNICODE, SOCKET, new Handshake(Map.of(), Map.of(), new byte[] {'{',
                '}'}, "", "", 0), List.of(), "null".getBytes(StandardCharsets.UTF_8), ""));
        messages.add(new Message.ReleaseSocket("/chat", SOCKET));
        messages.add(new Message.SocketMoved(UNICODE, SOCKET));
        messages.add(new Message.SocketReleased(UNICODE, SOCKET, "backend-1"));
        messages.add(new Message.InstanceAnnouncement("^/game-\\d+$", "b-1", false));
        messages.add(new Message.InstanceAnnouncement("/chat", "b-2", true));
        return messages;
    }

    @Test
    void theSamplesCoverEveryMessageType() {
        Set<Class<?>> types = samples().stream().map(Object::getClass).collect(Collectors.toSet());

        assertThat(types).containsExactlyInAnyOrderElementsOf(concreteMessageTypes(Message.class));
    }

    /** The records of the sealed hierarchy, through its sealed sub-interfaces. */
    private static Set<Class<?>> concreteMessageTypes(Class<?> type) {
        if (!type.isSealed()) {
            return Set.of(type);
        }
        return java.util.Arrays.stream(type.getPermittedSubclasses()).flatMap(sub -> concreteMessageTypes(sub).stream())
                .collect(Collectors.toSet());
    }

    @ParameterizedTest
    @MethodSource("samples")
    void roundTripsEveryMessage(Message message) {
        byte[] encoded = MessageCodec.encode(message);

        Message decoded = MessageCodec.decode(encoded);

        assertThat(decoded).isEqualTo(message).isNotSameAs(message);
        assertThat(decoded.namespace()).isEqualTo(message.namespace());
        // the envelope starts with the magic "SD" and the version
        assertThat(Arrays.copyOf(encoded, 3)).containsExactly('S', 'D', MessageCodec.VERSION);
        // encoding is deterministic
        assertThat(MessageCodec.encode(decoded)).isEqualTo(encoded);
    }

    @Test
    void roundTripsEveryHandshakeField() {
        Handshake original = handshake();

        SocketConnected decoded = (SocketConnected) MessageCodec.decode(
                MessageCodec.encode(new SocketConnected("/chat", SOCKET, original)));

        Handshake handshake = decoded.handshake();
        assertThat(handshake.headers()).containsExactlyEntriesOf(original.headers());
        assertThat(handshake.headers().keySet()).containsExactly("User-Agent", "X-Multi", "X-Empty");
        assertThat(handshake.query()).containsExactlyEntriesOf(original.query());
        assertThat(handshake.auth()).isEqualTo("{\"token\":\"s3cr3t\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(handshake.address()).isEqualTo("127.0.0.1");
        assertThat(handshake.url()).isEqualTo("/socket.io/?EIO=4&transport=websocket");
        assertThat(handshake.issuedAt()).isEqualTo(1_700_000_000_123L);
        assertThat(handshake.header("user-agent")).isEqualTo("node-XMLHttpRequest");
        assertThat(handshake.header("x-empty")).isNull();
        assertThat(handshake.queryParameter("name")).isEqualTo("Zoë 日本");
    }

    @Test
    void roundTripsUnicodeExactly() {
        SocketEvent event = new SocketEvent(UNICODE, "w." + UUID.randomUUID(), UNICODE + "!", 3,
                json("[\"" + UNICODE.replace("\u0000", "\\u0000") + "\"]"));

        SocketEvent decoded = (SocketEvent) MessageCodec.decode(MessageCodec.encode(event));

        assertThat(decoded.namespace()).isEqualTo(UNICODE);
        assertThat(decoded.event()).isEqualTo(UNICODE + "!");
        assertThat(decoded.args().jsonArray()).isEqualTo(event.args().jsonArray());
    }

    @Test
    void roundTripsEmptyRoomLists() {
        Broadcast decoded = (Broadcast) MessageCodec.decode(MessageCodec.encode(
                new Broadcast("/chat", List.of(), List.of(), "e", Payload.empty())));
        JoinRooms joined = (JoinRooms) MessageCodec.decode(MessageCodec.encode(new JoinRooms("/c", SOCKET, List.of())));

        assertThat(decoded.rooms()).isEmpty();
        assertThat(decoded.exceptRooms()).isEmpty();
        assertThat(joined.rooms()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, 0, 1, 63, 64, 127, 128, 300, Integer.MAX_VALUE, Integer.MAX_VALUE + 1L,
            0xFFFF_FFFFL, 1L << 53, Long.MAX_VALUE - 1, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1, -2, -1000})
    void roundTripsAckIds(long ackId) {
        SocketEvent event = (SocketEvent) MessageCodec.decode(MessageCodec.encode(
                new SocketEvent("/n", SOCKET, "e", ackId, Payload.empty())));
        AckReply reply = (AckReply) MessageCodec.decode(MessageCodec.encode(
                new AckReply("/n", SOCKET, ackId, Payload.empty())));

        assertThat(event.ackId()).isEqualTo(ackId);
        assertThat(event.wantsAck()).isEqualTo(ackId != -1);
        assertThat(reply.ackId()).isEqualTo(ackId);
    }

    @Test
    void noAckIsEncodedAsShortAsAckZero() {
        int noAck = MessageCodec.encode(new SocketEvent("/n", SOCKET, "e", SocketEvent.NO_ACK, Payload.empty())).length;
        int zero = MessageCodec.encode(new SocketEvent("/n", SOCKET, "e", 0, Payload.empty())).length;
        int max = MessageCodec.encode(new SocketEvent("/n", SOCKET, "e", Long.MAX_VALUE, Payload.empty())).length;

        assertThat(noAck).isEqualTo(zero);
        assertThat(max).isEqualTo(zero + 9); // a 10-byte varint instead of 1
    }

    @Test
    void roundTripsAOneMebibytePayloadByteForByte() {
        byte[] bytes = new byte[1 << 20];
        Arrays.fill(bytes, (byte) 'x');
        bytes[0] = '[';
        bytes[1] = '"';
        bytes[bytes.length - 2] = '"';
        bytes[bytes.length - 1] = ']';
        Random random = new Random(7);
        for (int i = 2; i < bytes.length - 2; i++) {
            bytes[i] = (byte) ('a' + random.nextInt(26));
        }
        Payload payload = Payload.ofJsonArray(bytes);

        for (Message message : List.of(new SocketEvent("/big", SOCKET, "upload", 9, payload),
                new EmitToSocket("/big", SOCKET, "download", payload), new AckReply("/big", SOCKET, 9, payload),
                new Broadcast("/big", List.of("r"), List.of(), "all", payload))) {
            byte[] encoded = MessageCodec.encode(message);
            assertThat(encoded.length).isBetween(bytes.length, bytes.length + 200);

            Message decoded = MessageCodec.decode(encoded);

            assertThat(decoded).isEqualTo(message);
            assertThat(payloadOf(decoded).jsonArray()).isEqualTo(bytes);
        }
    }

    private static Payload payloadOf(Message message) {
        if (message instanceof SocketEvent m) {
            return m.args();
        } else if (message instanceof EmitToSocket m) {
            return m.args();
        } else if (message instanceof AckReply m) {
            return m.args();
        } else if (message instanceof Broadcast m) {
            return m.args();
        }
        throw new AssertionError("no payload in " + message);
    }

    // ---- garbage -------------------------------------------------------------------------------

    private static MalformedMessageException malformed(byte[] bytes) {
        Throwable thrown = catchThrowable(() -> MessageCodec.decode(bytes));
        assertThat(thrown).as("decoding %s", Arrays.toString(Arrays.copyOf(bytes, Math.min(bytes.length, 64))))
                .isInstanceOf(MalformedMessageException.class);
        return (MalformedMessageException) thrown;
    }

    @Test
    void rejectsAnEmptyArray() {
        malformed(new byte[0]);
    }

    @Test
    void rejectsShortArrays() {
        malformed(new byte[] {'S'});
        malformed(new byte[] {'S', 'D'});
        malformed(new byte[] {'S', 'D', 1});
        malformed(new byte[] {'S', 'D', 1, DISCONNECT_SOCKET});
    }

    @Test
    void rejectsRandomBytes() {
        Random random = new Random(20240601L);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = new byte[random.nextInt(300)];
            random.nextBytes(bytes);
            malformed(bytes);
        }
    }

    @Test
    void randomBodiesBehindAValidHeaderAreRejectedOrDecodedButNeverThrowAnythingElse() {
        Random random = new Random(42L);
        // every type there is, and two there are not
        int[] types = {0, 1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 30, 31,
            32, 40, 41, 50, 60, 255};
        for (int i = 0; i < 50_000; i++) {
            byte[] bytes = new byte[4 + random.nextInt(64)];
            random.nextBytes(bytes);
            bytes[0] = 'S';
            bytes[1] = 'D';
            bytes[2] = 1;
            bytes[3] = (byte) types[random.nextInt(types.length)];
            if (random.nextBoolean()) {
                // small lengths make it past the first fields more often
                for (int j = 4; j < bytes.length; j++) {
                    bytes[j] = (byte) random.nextInt(8);
                }
            }
            Throwable thrown = catchThrowable(() -> MessageCodec.decode(bytes));
            if (thrown != null) {
                assertThat(thrown).as("decoding %s", Arrays.toString(bytes)).isInstanceOf(MalformedMessageException.class);
            }
        }
    }

    @Test
    void mutatedValidEncodingsAreRejectedOrDecodedButNeverThrowAnythingElse() {
        Random random = new Random(99L);
        List<byte[]> encodings = samples().stream().filter(m -> !(payloadSizeAbove(m, 1000)))
                .map(MessageCodec::encode).toList();
        for (int i = 0; i < 50_000; i++) {
            byte[] bytes = encodings.get(random.nextInt(encodings.size())).clone();
            int flips = 1 + random.nextInt(3);
            for (int f = 0; f < flips; f++) {
                int at = 2 + random.nextInt(bytes.length - 2);
                bytes[at] = random.nextInt(4) == 0 ? (byte) 0xFF : (byte) random.nextInt(256);
            }
            Throwable thrown = catchThrowable(() -> MessageCodec.decode(bytes));
            if (thrown != null) {
                assertThat(thrown).as("decoding %s", Arrays.toString(bytes)).isInstanceOf(MalformedMessageException.class);
            }
        }
    }

    private static boolean payloadSizeAbove(Message message, int size) {
        return message instanceof SocketEvent m && m.args().size() > size;
    }

    @Test
    void rejectsAWrongMagic() {
        byte[] valid = MessageCodec.encode(new DisconnectSocket("/chat", SOCKET));

        byte[] first = valid.clone();
        first[0] = 'X';
        byte[] second = valid.clone();
        second[1] = 's';
        byte[] swapped = valid.clone();
        swapped[0] = 'D';
        swapped[1] = 'S';

        assertThat(malformed(first)).hasMessageContaining("magic");
        assertThat(malformed(second)).hasMessageContaining("magic");
        assertThat(malformed(swapped)).hasMessageContaining("magic");
        assertThat(malformed("{\"hello\":1}".getBytes(StandardCharsets.UTF_8))).hasMessageContaining("magic");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2, 3, 127, 255})
    void rejectsOtherVersions(int version) {
        for (Message message : samples()) {
            byte[] bytes = MessageCodec.encode(message);
            bytes[2] = (byte) version;

            assertThat(malformed(bytes)).hasMessageContaining("version " + version);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 7, 9, 27, 33, 42, 61, 100, 255})
    void rejectsUnknownTypes(int type) {
        byte[] bytes = MessageCodec.encode(new DisconnectSocket("/chat", SOCKET));
        bytes[3] = (byte) type;

        assertThat(malformed(bytes)).hasMessageContaining("unknown message type " + type);
    }

    @Test
    void rejectsABooleanOtherThanZeroOrOne() {
        byte[] bytes = MessageCodec.encode(new DisconnectSocket("/chat", SOCKET, true));
        assertThat(bytes[bytes.length - 1]).isEqualTo((byte) 1);
        bytes[bytes.length - 1] = 2;

        assertThat(malformed(bytes)).hasMessageContaining("a boolean must be 0 or 1, got 2");
    }

    @Test
    void tellsATruncatedHeaderFromForeignData() {
        assertThat(malformed(new byte[] {'S', 'D', 1})).hasMessageContaining("truncated envelope");
        assertThat(malformed(new byte[] {'S', 'X', 1, 1})).hasMessageContaining("no \"SD\" magic");
        assertThat(malformed(new byte[] {'S'})).hasMessageContaining("no \"SD\" magic");
    }

    @Test
    void refusesALoneSurrogateInANameAndReplacesOneInFreeText() {
        // Java's encoder would write each as '?': two rooms would become one on the wire
        assertThatThrownBy(() -> MessageCodec.encode(new JoinRooms("/chat", SOCKET, List.of("a\uD800"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the name \"a\\uD800\" is not valid Unicode")
                .hasMessageContaining("lone surrogate (\\uD800 at index 1)");
        assertThatThrownBy(() -> MessageCodec.encode(new EmitToSocket("/chat", SOCKET, "\uDC00x", Payload.empty())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 0");
        // free text (a refusal's message, a reason) is sent anyway, each lone surrogate as U+FFFD: a connect refusal
        // naming what the client sent must still reach the client
        ConnectDecision refused = new ConnectDecision("/chat", SOCKET, "b1", false, "no room for \uD83D\uDE00 \uD800!",
                "null".getBytes(StandardCharsets.UTF_8));
        assertThat(((ConnectDecision) MessageCodec.decode(MessageCodec.encode(refused))).message())
                .isEqualTo("no room for \uD83D\uDE00 \uFFFD!");
        SocketDisconnected left = new SocketDisconnected("/chat", SOCKET, "gone \uDC00");
        assertThat(((SocketDisconnected) MessageCodec.decode(MessageCodec.encode(left))).reason())
                .isEqualTo("gone \uFFFD");
        // a pair is one code point, and travels
        JoinRooms paired = new JoinRooms("/chat", SOCKET, List.of("a\uD83D\uDE00", "\uD83D\uDE00"));
        assertThat(MessageCodec.decode(MessageCodec.encode(paired))).isEqualTo(paired);
    }

    @Test
    void rejectsEveryTruncationOfEveryValidEncoding() {
        for (Message message : samples()) {
            byte[] valid = MessageCodec.encode(message);
            if (valid.length > 4096) {
                continue;
            }
            for (int length = 0; length < valid.length; length++) {
                malformed(Arrays.copyOf(valid, length));
            }
        }
    }

    @Test
    void rejectsTruncationsOfAOneMebibyteMessageAroundItsFieldBoundaries() {
        byte[] bytes = new byte[1 << 20];
        Arrays.fill(bytes, (byte) '1');
        bytes[0] = '[';
        bytes[bytes.length - 1] = ']';
        byte[] valid = MessageCodec.encode(new SocketEvent("/big", SOCKET, "e", 5, Payload.ofJsonArray(bytes)));

        for (int length = 0; length < 200; length++) {
            malformed(Arrays.copyOf(valid, length));
        }
        for (int length = valid.length - 200; length < valid.length; length++) {
            malformed(Arrays.copyOf(valid, length));
        }
    }

    @Test
    void rejectsTrailingBytesAfterEveryMessageType() {
        for (Message message : samples()) {
            byte[] valid = MessageCodec.encode(message);
            for (byte[] tail : List.of(new byte[] {0}, new byte[] {'x', 'y'}, valid)) {
                byte[] bytes = Arrays.copyOf(valid, valid.length + tail.length);
                System.arraycopy(tail, 0, bytes, valid.length, tail.length);

                assertThat(malformed(bytes)).hasMessageContaining("trailing");
            }
        }
    }

    @Test
    void rejectsALengthPrefixLargerThanTheRestWithoutAllocatingIt() {
        List<byte[]> hostile = List.of(
                // a namespace of Integer.MAX_VALUE bytes
                new Envelope(DISCONNECT_SOCKET).varint(Integer.MAX_VALUE).raw("abc").bytes(),
                // just one byte more than is left
                new Envelope(DISCONNECT_SOCKET).varint(4).raw("abc").bytes(),
                // a length above Integer.MAX_VALUE
                new Envelope(DISCONNECT_SOCKET).varint(Integer.MAX_VALUE + 1L).raw("abc").bytes(),
                new Envelope(DISCONNECT_SOCKET).varint(Long.MAX_VALUE).raw("abc").bytes(),
                // a ten-byte varint whose value is negative as a long
                new Envelope(DISCONNECT_SOCKET).varint(-1L).raw("abc").bytes(),
                // a payload of 1 GiB announced in a few bytes
                new Envelope(SOCKET_EVENT).string("/n").string(SOCKET).string("e").varint(0).varint(1L << 30)
                        .raw("[1]").bytes(),
                // a room count of two billion
                new Envelope(JOIN_ROOMS).string("/n").string(SOCKET).varint(2_000_000_000L).string("r").bytes(),
                // a header count of two billion
                new Envelope(SOCKET_CONNECTED).string("/n").string(SOCKET).varint(2_000_000_000L).bytes(),
                // a header value count of two billion
                new Envelope(SOCKET_CONNECTED).string("/n").string(SOCKET).varint(1).string("h")
                        .varint(2_000_000_000L).bytes());

        com.sun.management.ThreadMXBean threads = allocationCounter();
        long before = threads.getCurrentThreadAllocatedBytes();
        for (byte[] bytes : hostile) {
            assertThat(malformed(bytes)).hasMessageContaining("length");
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(allocated).as("bytes allocated while rejecting hostile lengths").isLessThan(4L << 20);
    }

    @Test
    void rejectsAVarintLongerThanTenBytes() {
        Envelope envelope = new Envelope(SOCKET_EVENT).string("/n").string(SOCKET).string("e");
        for (int i = 0; i < 11; i++) {
            envelope.raw(new byte[] {(byte) 0x80});
        }
        envelope.raw(new byte[] {0}).string("[]");

        assertThat(malformed(envelope.bytes())).hasMessageContaining("varint");
    }

    private static com.sun.management.ThreadMXBean allocationCounter() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean counter
                && counter.isThreadAllocatedMemorySupported() && counter.isThreadAllocatedMemoryEnabled(),
                "per-thread allocation counting is not available on this JVM");
        return (com.sun.management.ThreadMXBean) bean;
    }

    static Stream<String> notJsonArrays() {
        return Stream.of("", "[", "]", "{}", "{\"a\":1}", "\"x\"", "1", "null", "[1", "1]", "x[1]");
    }

    @ParameterizedTest
    @MethodSource("notJsonArrays")
    void rejectsAPayloadThatIsNotAJsonArray(String payload) {
        // a payload is the JSON array, then the number of binary attachments (none here)
        byte[] event = new Envelope(SOCKET_EVENT).string("/n").string(SOCKET).string("e").varint(0).string(payload)
                .varint(0).bytes();
        byte[] emit = new Envelope(10).string("/n").string(SOCKET).string("e").string(payload).varint(0).bytes();
        byte[] ack = new Envelope(11).string("/n").string(SOCKET).varint(2).string(payload).varint(0).bytes();
        byte[] broadcast = new Envelope(20).string("/n").varint(0).varint(0).string("e").string(payload).varint(0)
                .bytes();

        for (byte[] bytes : List.of(event, emit, ack, broadcast)) {
            assertThat(malformed(bytes)).hasMessageContaining("JSON array");
        }
    }

    @Test
    void rejectsAReplyPartPastItsPartCount() {
        // namespace, workerId, requestId (zigzag: 2 is 1), part, parts, then no sockets (or rooms)
        byte[] whole = new Envelope(31).string("/n").string("w").varint(2).varint(1).varint(2).varint(0).bytes();
        byte[] pastTheEnd = new Envelope(31).string("/n").string("w").varint(2).varint(2).varint(2).varint(0).bytes();
        byte[] noParts = new Envelope(32).string("/n").string("w").varint(2).varint(0).varint(0).varint(0).bytes();

        assertThat(MessageCodec.decode(whole)).isEqualTo(new Message.SocketsFetched("/n", "w", 1, 1, 2, List.of()));
        assertThat(malformed(pastTheEnd)).hasMessageContaining("part 2 of 2");
        assertThat(malformed(noParts)).hasMessageContaining("part 0 of 0");
    }

    @Test
    void rejectsAPayloadWithARawControlCharacterButTakesJsonWhitespace() {
        // a record separator would split a long-polling batch: the rest would be read as a packet of its own
        byte[] forged = new Envelope(10).string("/n").string(SOCKET).string("e")
                .string("[\"x\u001e42/admin,[\\\"secret\\\"]\"]").varint(0).bytes();
        byte[] nul = new Envelope(10).string("/n").string(SOCKET).string("e").string("[\"\u0000\"]").varint(0)
                .bytes();
        byte[] whitespace = new Envelope(10).string("/n").string(SOCKET).string("e").string("[\n1,\t2\r\n]")
                .varint(0).bytes();
        // a refusal's data goes to the client unparsed too: namespace, socket, backend, accepted, message, data
        byte[] refusal = new Envelope(17).string("/n").string(SOCKET).string("b").varint(0).string("no")
                .string("{\"x\":\"\u001e42/admin,[]\"}").bytes();

        assertThat(malformed(forged)).hasMessageContaining("control character 0x1e");
        assertThat(malformed(nul)).hasMessageContaining("control character 0x0");
        assertThat(malformed(refusal)).hasMessageContaining("control character 0x1e");
        assertThat(MessageCodec.decode(whitespace)).isEqualTo(new EmitToSocket("/n", SOCKET, "e",
                json("[\n1,\t2\r\n]")));
    }

    @Test
    void theHandBuiltEnvelopesMatchTheCodecsLayout() {
        // guards the hostile-input tests above: with valid fields the hand-built bytes decode
        byte[] event = new Envelope(SOCKET_EVENT).string("/n").string(SOCKET).string("e").varint(0).string("[1]")
                .varint(0).bytes();
        byte[] binaryEvent = new Envelope(SOCKET_EVENT).string("/n").string(SOCKET).string("e").varint(0)
                .string("[{\"_placeholder\":true,\"num\":0}]").varint(1).string("\u0001\u0002").bytes();
        byte[] disconnect = new Envelope(DISCONNECT_SOCKET).string("/n").string(SOCKET).varint(1).bytes();
        byte[] join = new Envelope(JOIN_ROOMS).string("/n").string(SOCKET).varint(1).string("r").bytes();
        byte[] connected = new Envelope(SOCKET_CONNECTED).string("/n").string(SOCKET).varint(1).string("h").varint(1)
                .string("v").varint(0).string("{}").string("addr").string("url").varint(5).bytes();

        assertThat(MessageCodec.decode(event)).isEqualTo(new SocketEvent("/n", SOCKET, "e", 0, json("[1]")));
        assertThat(MessageCodec.decode(binaryEvent)).isEqualTo(new SocketEvent("/n", SOCKET, "e", 0, Payload.of(
                "[{\"_placeholder\":true,\"num\":0}]".getBytes(StandardCharsets.UTF_8), List.of(new byte[] {1, 2}))));
        assertThat(MessageCodec.decode(disconnect)).isEqualTo(new DisconnectSocket("/n", SOCKET, true));
        assertThat(MessageCodec.decode(join)).isEqualTo(new JoinRooms("/n", SOCKET, List.of("r")));
        assertThat(MessageCodec.decode(connected)).isEqualTo(new SocketConnected("/n", SOCKET, new Handshake(
                Map.of("h", List.of("v")), Map.of(), "{}".getBytes(StandardCharsets.UTF_8), "addr", "url", 5)));
    }

    @Test
    void decodedPayloadsAreCopiesNotViewsOfTheInput() {
        byte[] encoded = MessageCodec.encode(new EmitToSocket("/n", SOCKET, "e", json("[1,2]")));

        EmitToSocket decoded = (EmitToSocket) MessageCodec.decode(encoded);
        Arrays.fill(encoded, (byte) 0);

        assertThat(decoded.args().jsonArray()).isEqualTo("[1,2]".getBytes(StandardCharsets.UTF_8));
    }

    /** Writes envelopes by hand, independently of WireWriter, to build inputs the encoder cannot produce. */
    private static final class Envelope {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Envelope(int type) {
            out.write('S');
            out.write('D');
            out.write(1);
            out.write(type);
        }

        Envelope varint(long value) {
            while ((value & ~0x7FL) != 0) {
                out.write((int) ((value & 0x7F) | 0x80));
                value >>>= 7;
            }
            out.write((int) value);
            return this;
        }

        Envelope string(String value) {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            varint(bytes.length);
            out.writeBytes(bytes);
            return this;
        }

        Envelope raw(String value) {
            out.writeBytes(value.getBytes(StandardCharsets.UTF_8));
            return this;
        }

        Envelope raw(byte[] bytes) {
            out.writeBytes(bytes);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
