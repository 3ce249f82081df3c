package io.github.siodistributor.core.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.siodistributor.core.protocol.Payload;
import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SocketIoPacketDecoderTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static SocketIoPacket decode(String packet) throws InvalidPacketException {
        return SocketIoPacketDecoder.decode(packet.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static JsonNode tree(String json) throws Exception {
        return MAPPER.readTree(json);
    }

    private static JsonNode tree(byte[] json) throws Exception {
        return MAPPER.readTree(json);
    }

    private static void assertInvalid(String packet) {
        assertInvalid(packet.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertInvalid(byte[] packet) {
        Throwable thrown = catchThrowable(() -> SocketIoPacketDecoder.decode(packet));
        assertThat(thrown)
                .as("decoding %s", Arrays.toString(packet))
                .isInstanceOf(InvalidPacketException.class);
    }

    // ---- CONNECT ----

    @Test
    void connectToMainNamespaceWithoutData() throws Exception {
        SocketIoPacket packet = decode("0");
        assertThat(packet.type()).isEqualTo(PacketType.CONNECT);
        assertThat(packet.namespace()).isEqualTo("/");
        assertThat(packet.data()).isNull();
        assertThat(packet.ackId()).isEqualTo(SocketIoPacket.NO_ACK);
        assertThat(packet.attachments()).isZero();
        assertThat(packet.event()).isNull();
    }

    @Test
    void connectWithAuthDataKeepsTheBytes() throws Exception {
        SocketIoPacket packet = decode("0{\"token\":\"1\"}");
        assertThat(packet.type()).isEqualTo(PacketType.CONNECT);
        assertThat(packet.namespace()).isEqualTo("/");
        assertThat(text(packet.data())).isEqualTo("{\"token\":\"1\"}");
    }

    @Test
    void connectToCustomNamespaceWithComma() throws Exception {
        SocketIoPacket packet = decode("0/custom,");
        assertThat(packet.type()).isEqualTo(PacketType.CONNECT);
        assertThat(packet.namespace()).isEqualTo("/custom");
        assertThat(packet.data()).isNull();
    }

    @Test
    void connectToCustomNamespaceWithoutComma() throws Exception {
        SocketIoPacket packet = decode("0/custom");
        assertThat(packet.type()).isEqualTo(PacketType.CONNECT);
        assertThat(packet.namespace()).isEqualTo("/custom");
        assertThat(packet.data()).isNull();
    }

    @Test
    void connectToCustomNamespaceWithData() throws Exception {
        SocketIoPacket packet = decode("0/custom,{\"a\":1}");
        assertThat(packet.type()).isEqualTo(PacketType.CONNECT);
        assertThat(packet.namespace()).isEqualTo("/custom");
        assertThat(text(packet.data())).isEqualTo("{\"a\":1}");
    }

    @Test
    void connectToUnicodeNamespace() throws Exception {
        SocketIoPacket packet = decode("0/чат-日本,");
        assertThat(packet.namespace()).isEqualTo("/чат-日本");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0/custom,[1]", "0\"x\"", "0[]", "0null", "0true", "0/custom,{", "0{}x", "0{\"a\":}"})
    void connectDataMustBeAnObject(String packet) {
        assertInvalid(packet);
    }

    // ---- DISCONNECT ----

    @Test
    void disconnectFromMainNamespace() throws Exception {
        SocketIoPacket packet = decode("1");
        assertThat(packet.type()).isEqualTo(PacketType.DISCONNECT);
        assertThat(packet.namespace()).isEqualTo("/");
        assertThat(packet.data()).isNull();
    }

    @Test
    void disconnectFromCustomNamespace() throws Exception {
        SocketIoPacket packet = decode("1/custom,");
        assertThat(packet.type()).isEqualTo(PacketType.DISCONNECT);
        assertThat(packet.namespace()).isEqualTo("/custom");
        assertThat(packet.data()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1/custom,{}", "1{}", "1[]", "1\"bye\""})
    void disconnectCarriesNoData(String packet) {
        assertInvalid(packet);
    }

    // ---- EVENT ----

    @Test
    void eventSplitsNameAndKeepsArgumentBytes() throws Exception {
        SocketIoPacket packet = decode("2[\"ev\",1,\"a\",{\"b\":[true]}]");
        assertThat(packet.type()).isEqualTo(PacketType.EVENT);
        assertThat(packet.namespace()).isEqualTo("/");
        assertThat(packet.event()).isEqualTo("ev");
        assertThat(packet.ackId()).isEqualTo(SocketIoPacket.NO_ACK);
        assertThat(packet.attachments()).isZero();
        assertThat(text(packet.data())).isEqualTo("[1,\"a\",{\"b\":[true]}]");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "2[ \"ev\" , 1 ]",
        "2[\"ev\",1]",
        "2[\n\t\"ev\"\r\n,\n1\n]",
        "2[\"ev\",    1]   ",
        "2[\"ev\"\t,1\t]\n",
        "2  [\"ev\",1]",
    })
    void eventWithUnusualWhitespaceGivesValidJsonArguments(String packet) throws Exception {
        SocketIoPacket decoded = decode(packet);
        assertThat(decoded.event()).isEqualTo("ev");
        assertThat(text(decoded.data())).startsWith("[").endsWith("]");
        assertThat(tree(decoded.data())).isEqualTo(tree("[1]"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2[\"ev\"]", "2[ \"ev\" ]", "2[\"ev\"\n]  ", "2[\n\"ev\"\n]"})
    void eventWithoutArgumentsHasEmptyArray(String packet) throws Exception {
        SocketIoPacket decoded = decode(packet);
        assertThat(decoded.type()).isEqualTo(PacketType.EVENT);
        assertThat(decoded.event()).isEqualTo("ev");
        assertThat(text(decoded.data())).isEqualTo("[]");
    }

    @Test
    void numbersOfAnyLengthAreValidJson() throws Exception {
        // JSON.parse takes them; Jackson's tokenizer would refuse more than 1000 digits unless told otherwise
        String digits = "9".repeat(5000);

        SocketIoPacket packet = decode("2[\"big\"," + digits + ",-" + digits + "." + digits + "e-" + digits + "]");

        assertThat(packet.event()).isEqualTo("big");
        assertThat(text(packet.data())).isEqualTo("[" + digits + ",-" + digits + "." + digits + "e-" + digits + "]");
    }

    @Test
    void eventWithNamespaceAndAckId() throws Exception {
        SocketIoPacket packet = decode("2/chat,12[\"ev\",1]");
        assertThat(packet.type()).isEqualTo(PacketType.EVENT);
        assertThat(packet.namespace()).isEqualTo("/chat");
        assertThat(packet.ackId()).isEqualTo(12);
        assertThat(packet.event()).isEqualTo("ev");
        assertThat(text(packet.data())).isEqualTo("[1]");
    }

    @Test
    void eventWithAckIdOnMainNamespace() throws Exception {
        SocketIoPacket packet = decode("212[\"ev\"]");
        assertThat(packet.type()).isEqualTo(PacketType.EVENT);
        assertThat(packet.namespace()).isEqualTo("/");
        assertThat(packet.ackId()).isEqualTo(12);
        assertThat(packet.event()).isEqualTo("ev");
        assertThat(text(packet.data())).isEqualTo("[]");
    }

    @Test
    void eventWithAckIdZero() throws Exception {
        assertThat(decode("20[\"ev\"]").ackId()).isZero();
    }

    @Test
    void largestAcceptedAckId() throws Exception {
        long max = Long.MAX_VALUE / 10;
        assertThat(decode("2" + max + "[\"ev\"]").ackId()).isEqualTo(max);
    }

    @Test
    void numericEventNameIsTakenAsText() throws Exception {
        SocketIoPacket packet = decode("2[42,1]");
        assertThat(packet.event()).isEqualTo("42");
        assertThat(text(packet.data())).isEqualTo("[1]");

        SocketIoPacket alone = decode("2[42]");
        assertThat(alone.event()).isEqualTo("42");
        assertThat(text(alone.data())).isEqualTo("[]");

        SocketIoPacket spaced = decode("2[ 42 , 1 ]");
        assertThat(spaced.event()).isEqualTo("42");
        assertThat(tree(spaced.data())).isEqualTo(tree("[1]"));
    }

    @Test
    void escapedEventName() throws Exception {
        SocketIoPacket packet = decode("2[\"a\\\"b\",\"x\"]");
        assertThat(packet.event()).isEqualTo("a\"b");
        assertThat(text(packet.data())).isEqualTo("[\"x\"]");

        SocketIoPacket escapes = decode("2[\"\\u0041\\n\\\\\\/\"]");
        assertThat(escapes.event()).isEqualTo("A\n\\/");
        assertThat(text(escapes.data())).isEqualTo("[]");
    }

    @Test
    void unicodeEventName() throws Exception {
        SocketIoPacket packet = decode("2[\"ünï\",\"日本😀\"]");
        assertThat(packet.event()).isEqualTo("ünï");
        assertThat(text(packet.data())).isEqualTo("[\"日本😀\"]");

        SocketIoPacket emoji = decode("2[\"😀日本\", 1]");
        assertThat(emoji.event()).isEqualTo("😀日本");
        assertThat(tree(emoji.data())).isEqualTo(tree("[1]"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"})
    void reservedEventNamesAreInvalid(String name) {
        assertInvalid("2[\"" + name + "\"]");
        assertInvalid("2[\"" + name + "\",1]");
        assertInvalid("2/chat,3[\"" + name + "\",{}]");
        assertInvalid("51-[\"" + name + "\",{\"_placeholder\":true,\"num\":0}]");
    }

    @Test
    void namesCloseToReservedOnesAreAccepted() throws Exception {
        assertThat(decode("2[\"Connect\"]").event()).isEqualTo("Connect");
        assertThat(decode("2[\"connect \"]").event()).isEqualTo("connect ");
        assertThat(decode("2[\"connected\"]").event()).isEqualTo("connected");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "2{}", "2[]", "2[ ]", "2[1", "2[\"a\"", "2[\"a\"] x", "2[\"a\"][]", "2abc[\"a\"]", "2",
        "2/chat,", "2/chat", "212", "2\"ev\"", "2[null]", "2[true]", "2[{}]", "2[[\"a\"]]",
        "2[\"a\",]", "2[,\"a\"]", "2['a']", "2[\"a\" \"b\"]", "2[\"a\",1}", "2x", "2-1[\"a\"]",
    })
    void malformedEventsAreInvalid(String packet) {
        assertInvalid(packet);
    }

    // ---- ACK ----

    @Test
    void ackWithNamespace() throws Exception {
        SocketIoPacket packet = decode("3/chat,5[1]");
        assertThat(packet.type()).isEqualTo(PacketType.ACK);
        assertThat(packet.namespace()).isEqualTo("/chat");
        assertThat(packet.ackId()).isEqualTo(5);
        assertThat(text(packet.data())).isEqualTo("[1]");
        assertThat(packet.event()).isNull();
    }

    @Test
    void ackOnMainNamespaceKeepsTheWholeArray() throws Exception {
        SocketIoPacket packet = decode("37[\"ok\", {\"n\" : 1}]");
        assertThat(packet.type()).isEqualTo(PacketType.ACK);
        assertThat(packet.namespace()).isEqualTo("/");
        assertThat(packet.ackId()).isEqualTo(7);
        assertThat(text(packet.data())).isEqualTo("[\"ok\", {\"n\" : 1}]");

        assertThat(text(decode("30[]").data())).isEqualTo("[]");
    }

    @Test
    void ackDataIsTheArrayWithoutTheWhitespaceAroundIt() throws Exception {
        // valid JSON either way, and what reaches the backend must be the array itself
        SocketIoPacket packet = decode("31 \t[\"ok\"] \n");
        assertThat(text(packet.data())).isEqualTo("[\"ok\"]");
        assertThatCode(() -> Payload.of(packet.data(), List.of())).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"3[1]", "3/chat,[1]", "3/chat,5{}", "35{}", "35", "3/chat,5", "35\"x\"", "35[1", "3", "3x5[1]"})
    void malformedAcksAreInvalid(String packet) {
        assertInvalid(packet);
    }

    // ---- BINARY_EVENT / BINARY_ACK ----

    @Test
    void binaryEvent() throws Exception {
        SocketIoPacket packet = decode(
                "52-[\"up\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
        assertThat(packet.type()).isEqualTo(PacketType.BINARY_EVENT);
        assertThat(packet.namespace()).isEqualTo("/");
        assertThat(packet.attachments()).isEqualTo(2);
        assertThat(packet.ackId()).isEqualTo(SocketIoPacket.NO_ACK);
        assertThat(packet.event()).isEqualTo("up");
        assertThat(text(packet.data()))
                .isEqualTo("[{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
    }

    @Test
    void binaryEventWithNamespaceAndAckId() throws Exception {
        SocketIoPacket packet = decode("51-/chat,8[\"up\",{\"_placeholder\":true,\"num\":0}]");
        assertThat(packet.type()).isEqualTo(PacketType.BINARY_EVENT);
        assertThat(packet.namespace()).isEqualTo("/chat");
        assertThat(packet.attachments()).isEqualTo(1);
        assertThat(packet.ackId()).isEqualTo(8);
        assertThat(packet.event()).isEqualTo("up");
    }

    @Test
    void binaryAck() throws Exception {
        SocketIoPacket packet = decode("61-/chat,7[{\"_placeholder\":true,\"num\":0}]");
        assertThat(packet.type()).isEqualTo(PacketType.BINARY_ACK);
        assertThat(packet.namespace()).isEqualTo("/chat");
        assertThat(packet.attachments()).isEqualTo(1);
        assertThat(packet.ackId()).isEqualTo(7);
        assertThat(text(packet.data())).isEqualTo("[{\"_placeholder\":true,\"num\":0}]");
        assertThat(packet.event()).isNull();
    }

    @Test
    void attachmentCountUpToTheLimit() throws Exception {
        assertThat(decode("51000-[\"up\"]").attachments()).isEqualTo(1000);
        assertThat(decode("50-[\"up\"]").attachments()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "5-[\"a\"]", "5x-[\"a\"]", "52[\"a\"]", "52[\"a-b\"]", "5", "52-", "52-/chat,", "51-{}", "51-[]",
        "51001-[\"a\"]", "599999999999999999999999-[\"a\"]", "5 2-[\"a\"]", "5+2-[\"a\"]",
        "6-[1]", "61-[1]", "61-/chat,[1]", "61-7{}", "6", "61x-7[1]",
    })
    void malformedBinaryPacketsAreInvalid(String packet) {
        assertInvalid(packet);
    }

    // ---- header ----

    @ParameterizedTest
    @ValueSource(strings = {"4", "4{\"message\":\"x\"}", "7", "7[\"a\"]", "8", "9", "a", "Z", "x[\"a\"]", "/", " 2[\"a\"]",
        "-", "[\"a\"]", "{}"})
    void unknownOrServerOnlyTypesAreInvalid(String packet) {
        assertInvalid(packet);
    }

    @Test
    void nonAsciiTypeBytesAreInvalid() {
        for (int b = 0x80; b <= 0xff; b++) {
            assertInvalid(new byte[] {(byte) b, '[', '"', 'a', '"', ']'});
        }
        assertInvalid(new byte[] {0});
    }

    @Test
    void emptyPacketIsInvalid() {
        assertInvalid(new byte[0]);
    }

    @Test
    void ackIdOverflowIsInvalid() {
        String thirtyDigits = "123456789012345678901234567890";
        assertInvalid("2" + thirtyDigits + "[\"ev\"]");
        assertInvalid("3" + thirtyDigits + "[1]");
        assertInvalid("3/chat," + thirtyDigits + "[1]");
        assertInvalid("2" + Long.MAX_VALUE + "[\"ev\"]");
        assertInvalid("2" + (Long.MAX_VALUE / 10 + 1) + "[\"ev\"]");
    }

    /**
     * 19-digit ids just above {@code Long.MAX_VALUE} wrap around in {@code readNumber}: the overflow
     * check runs before the last multiplication, so {@code 9223372036854775808} comes out as
     * {@code Long.MIN_VALUE} instead of being refused.
     */
    @ParameterizedTest
    @ValueSource(strings = {"9223372036854775808", "9223372036854775809"})
    void ackIdJustAboveLongRangeIsInvalidNotNegative(String id) {
        Throwable thrown = catchThrowable(() -> decode("3" + id + "[1]"));
        assertThat(thrown)
                .as("ack id %s must be refused, got %s", id, thrown == null ? "a packet" : thrown)
                .isInstanceOf(InvalidPacketException.class);
        assertInvalid("2" + id + "[\"ev\"]");
    }

    @Test
    void attachmentCountAboveLimitIsInvalid() {
        assertInvalid("51001-[\"up\"]");
        assertInvalid("61001-5[1]");
        assertInvalid("5" + Integer.MAX_VALUE + "-[\"up\"]");
        assertInvalid("5" + "9".repeat(40) + "-[\"up\"]");
    }

    @Test
    void anEventNameWithALoneSurrogateIsInvalidAndAPairIsNot() throws InvalidPacketException {
        // JSON's escape makes a Java string UTF-8 cannot carry: the backends would get another name
        assertThatThrownBy(() -> decode("2[\"a\\ud800\",1]")).isInstanceOf(InvalidPacketException.class)
                .hasMessageContaining("the event name \"a\\uD800\" is not valid Unicode");
        assertInvalid("2[\"\\udc00\"]");

        assertThat(decode("2[\"\\ud83d\\ude00\",1]").event()).isEqualTo("\uD83D\uDE00");
        // a lone surrogate in the arguments is the backend's to read, as Socket.IO passes it on
        assertThat(decode("2[\"ev\",\"\\ud800\"]").event()).isEqualTo("ev");
    }

    @Test
    void invalidPacketExceptionHasAMessage() {
        assertThatThrownBy(() -> decode("9")).isInstanceOf(InvalidPacketException.class).hasMessageContaining("9");
        assertThatThrownBy(() -> decode("2[\"connect\"]")).hasMessageContaining("connect");
    }

    // ---- JSON encodings the reference parser (JSON.parse on a UTF-8 text frame) does not accept ----

    /**
     * Jackson's {@code createParser(byte[])} auto-detects UTF-16/UTF-32 from zero bytes; a JSON text
     * in a Socket.IO packet can never contain a raw NUL, so these must be refused, and must never
     * fail with anything but {@link InvalidPacketException}.
     */
    @ParameterizedTest
    @ValueSource(strings = {"UTF-16LE", "UTF-16BE", "UTF-32LE", "UTF-32BE"})
    void eventJsonInAnotherEncodingIsInvalid(String charset) {
        assertInvalid(concat("2".getBytes(StandardCharsets.US_ASCII),
                "[\"ev\",1]".getBytes(Charset.forName(charset))));
        assertInvalid(concat("2".getBytes(StandardCharsets.US_ASCII),
                "[42]".getBytes(Charset.forName(charset))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"UTF-16LE", "UTF-16BE", "UTF-32LE", "UTF-32BE"})
    void ackJsonInAnotherEncodingIsInvalid(String charset) {
        assertInvalid(concat("35".getBytes(StandardCharsets.US_ASCII), "[1]".getBytes(Charset.forName(charset))));
        assertInvalid(concat("0".getBytes(StandardCharsets.US_ASCII), "{}".getBytes(Charset.forName(charset))));
    }

    @Test
    void byteOrderMarkBeforeJsonIsInvalid() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        assertInvalid(concat(concat("2".getBytes(StandardCharsets.US_ASCII), bom), "[\"ev\",1]".getBytes(StandardCharsets.UTF_8)));
        assertInvalid(concat(concat("35".getBytes(StandardCharsets.US_ASCII), bom), "[1]".getBytes(StandardCharsets.UTF_8)));
    }

    // ---- fuzz ----

    private static final String[] VALID = {
        "0", "0{\"token\":\"1\"}", "0/custom,", "0/custom,{\"a\":1}", "1", "1/custom,",
        "2[\"ev\",1,\"a\",{\"b\":[true]}]", "2[\"ev\"]", "2/chat,12[\"ev\",1]", "212[\"ev\"]", "2[42,1]",
        "2[\"a\\\"b\"]", "2[\"ünï\"]", "2[ \"ev\" , 1 ]", "3/chat,5[1]", "30[]",
        "52-[\"up\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]",
        "61-/chat,7[{\"_placeholder\":true,\"num\":0}]",
        "2[\"x\",{\"k\":[1,2.5e3,-0.1,null,false,\"s\\u00e9\"]},[[[]]],\"\"]",
    };
    private static final byte[] INTERESTING = "0123456789-/,[]{}\"\\:. \t\nabcenrtul_ü日😀".getBytes(StandardCharsets.UTF_8);

    @Test
    void fuzzedInputEitherDecodesOrIsInvalid() {
        Random random = new Random(0x5eed_50c1L);
        List<String> failures = new ArrayList<>();
        int decoded = 0;
        for (int round = 0; round < 20_000; round++) {
            byte[] input = switch (round % 4) {
                case 0 -> randomBytes(random);
                case 1 -> randomInteresting(random);
                default -> mutate(random, VALID[random.nextInt(VALID.length)].getBytes(StandardCharsets.UTF_8));
            };
            try {
                SocketIoPacket packet = SocketIoPacketDecoder.decode(input);
                decoded++;
                checkDecoded(packet, failures, input);
            } catch (InvalidPacketException expected) {
                // fine
            } catch (RuntimeException | Error unexpected) {
                failures.add(unexpected + " for " + Arrays.toString(input) + " ("
                        + new String(input, StandardCharsets.UTF_8) + ")");
            }
            if (failures.size() > 20) {
                break;
            }
        }
        assertThat(failures).isEmpty();
        assertThat(decoded).as("some mutations stay valid").isPositive();
    }

    private static void checkDecoded(SocketIoPacket packet, List<String> failures, byte[] input) {
        String what = new String(input, StandardCharsets.UTF_8);
        if (packet.type() == null || packet.namespace() == null) {
            failures.add("missing type/namespace for " + what);
        }
        if (packet.ackId() < SocketIoPacket.NO_ACK) {
            failures.add("negative ack id " + packet.ackId() + " for " + what);
        }
        if (packet.attachments() < 0 || packet.attachments() > 1000) {
            failures.add("attachments " + packet.attachments() + " for " + what);
        }
        switch (packet.type()) {
            case EVENT, BINARY_EVENT, ACK, BINARY_ACK -> {
                try {
                    JsonNode data = MAPPER.readTree(packet.data());
                    if (data == null || !data.isArray()) {
                        failures.add("data not an array for " + what);
                    }
                } catch (Exception e) {
                    failures.add("data not JSON (" + e.getMessage() + ") for " + what);
                }
                if ((packet.type() == PacketType.EVENT || packet.type() == PacketType.BINARY_EVENT)
                        && packet.event() == null) {
                    failures.add("no event name for " + what);
                }
            }
            default -> {
            }
        }
    }

    private static byte[] randomBytes(Random random) {
        byte[] bytes = new byte[random.nextInt(40)];
        random.nextBytes(bytes);
        if (bytes.length > 0 && random.nextBoolean()) {
            bytes[0] = (byte) ('0' + random.nextInt(7));
        }
        return bytes;
    }

    private static byte[] randomInteresting(Random random) {
        byte[] bytes = new byte[random.nextInt(30)];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = INTERESTING[random.nextInt(INTERESTING.length)];
        }
        if (bytes.length > 0) {
            bytes[0] = (byte) ('0' + random.nextInt(8));
        }
        return bytes;
    }

    private static byte[] mutate(Random random, byte[] valid) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(valid);
        byte[] bytes = out.toByteArray();
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            int op = random.nextInt(5);
            if (bytes.length == 0) {
                op = 1;
            }
            switch (op) {
                case 0 -> { // replace a byte
                    bytes[random.nextInt(bytes.length)] = pick(random);
                }
                case 1 -> { // insert a byte
                    int at = random.nextInt(bytes.length + 1);
                    byte[] longer = new byte[bytes.length + 1];
                    System.arraycopy(bytes, 0, longer, 0, at);
                    longer[at] = pick(random);
                    System.arraycopy(bytes, at, longer, at + 1, bytes.length - at);
                    bytes = longer;
                }
                case 2 -> { // delete a byte
                    int at = random.nextInt(bytes.length);
                    byte[] shorter = new byte[bytes.length - 1];
                    System.arraycopy(bytes, 0, shorter, 0, at);
                    System.arraycopy(bytes, at + 1, shorter, at, bytes.length - at - 1);
                    bytes = shorter;
                }
                case 3 -> { // truncate
                    bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
                }
                default -> { // duplicate a slice
                    int from = random.nextInt(bytes.length);
                    int to = from + random.nextInt(bytes.length - from + 1);
                    bytes = concat(bytes, Arrays.copyOfRange(bytes, from, to));
                }
            }
        }
        return bytes;
    }

    private static byte pick(Random random) {
        return random.nextInt(3) == 0 ? (byte) random.nextInt(256) : INTERESTING[random.nextInt(INTERESTING.length)];
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
