package io.github.siodistributor.core.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.github.siodistributor.core.engine.Frame;
import io.github.siodistributor.core.protocol.Payload;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SocketIoPacketEncoderTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static Payload json(String array) {
        return Payload.ofJsonArray(array.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(Frame frame) {
        assertThat(frame.binary()).as("a text frame").isFalse();
        return new String(frame.bytes(), StandardCharsets.UTF_8);
    }

    private static String onlyText(List<Frame> frames) {
        assertThat(frames).hasSize(1);
        return text(frames.get(0));
    }

    /** The JSON part of {@code 4<type>[...]<json>} starting at its first '[' or '{' after the header. */
    private static JsonNode jsonAfter(String packet, String header) throws Exception {
        assertThat(packet).startsWith(header);
        return MAPPER.readTree(packet.substring(header.length()));
    }

    // ---- event ----

    @Test
    void eventWithArguments() {
        assertThat(onlyText(SocketIoPacketEncoder.event("/", "said", json("[1,{\"a\":2}]"))))
                .isEqualTo("42[\"said\",1,{\"a\":2}]");
    }

    @Test
    void eventWithoutArguments() {
        assertThat(onlyText(SocketIoPacketEncoder.event("/", "said", Payload.empty()))).isEqualTo("42[\"said\"]");
        assertThat(onlyText(SocketIoPacketEncoder.event("/", "said", json("[]")))).isEqualTo("42[\"said\"]");
        assertThat(onlyText(SocketIoPacketEncoder.event("/", "said", json("[ \n\t]")))).isEqualTo("42[\"said\"]");
    }

    @Test
    void eventOnNamespace() {
        assertThat(onlyText(SocketIoPacketEncoder.event("/chat", "said", json("[1,{\"a\":2}]"))))
                .isEqualTo("42/chat,[\"said\",1,{\"a\":2}]");
        assertThat(onlyText(SocketIoPacketEncoder.event("/chat", "said", Payload.empty())))
                .isEqualTo("42/chat,[\"said\"]");
        assertThat(onlyText(SocketIoPacketEncoder.event("/чат", "x", Payload.empty())))
                .isEqualTo("42/чат,[\"x\"]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\"b", "a\\b", "line\nbreak", "tab\tcr\r", "ünï日本😀", "\u0000\u001f\u007f", "</script>", "'", ""})
    void eventNamesAreEscapedToValidJson(String name) throws Exception {
        String packet = onlyText(SocketIoPacketEncoder.event("/", name, json("[1]")));
        JsonNode array = jsonAfter(packet, "42");
        assertThat(array.isArray()).isTrue();
        assertThat(array.get(0).asText()).isEqualTo(name);
        assertThat(array.get(1).asInt()).isEqualTo(1);
        assertThat(array).hasSize(2);
    }

    @Test
    void unicodeEventNameIsWrittenAsUtf8() {
        Frame frame = SocketIoPacketEncoder.event("/", "ünï", Payload.empty()).get(0);
        assertThat(frame.bytes()).isEqualTo("42[\"ünï\"]".getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"[ 1 ]", "[\n  1,\n  \"a\"\n]", "[\t{ \"a\" : [ ] }\r\n]", "[1 ]", "[ \"x\"]"})
    void argumentsWithWhitespaceStayValidJson(String args) throws Exception {
        String packet = onlyText(SocketIoPacketEncoder.event("/", "ev", json(args)));
        JsonNode array = jsonAfter(packet, "42");
        JsonNode expected = MAPPER.createArrayNode().add("ev").addAll((ArrayNode)
                MAPPER.readTree(args));
        assertThat(array).isEqualTo(expected);
    }

    @Test
    void argumentBytesAreCopiedVerbatim() {
        String args = "[1.0e2, \"\\u00e9\",{\"b\":null} ]";
        assertThat(onlyText(SocketIoPacketEncoder.event("/", "ev", json(args))))
                .isEqualTo("42[\"ev\"," + args.substring(1));
    }

    @Test
    void eventWithAttachments() throws Exception {
        byte[] first = {1, 2, 3};
        byte[] second = {};
        String args = "[{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]";
        List<Frame> frames = SocketIoPacketEncoder.event("/", "up",
                Payload.of(args.getBytes(StandardCharsets.UTF_8), List.of(first, second)));
        assertThat(frames).hasSize(3);
        assertThat(text(frames.get(0))).isEqualTo("452-[\"up\"," + args.substring(1));
        assertThat(frames.get(1).binary()).isTrue();
        assertThat(frames.get(1).bytes()).isEqualTo(first);
        assertThat(frames.get(2).binary()).isTrue();
        assertThat(frames.get(2).bytes()).isEqualTo(second);
    }

    @Test
    void eventWithAttachmentsOnNamespace() {
        List<Frame> frames = SocketIoPacketEncoder.event("/chat", "up",
                Payload.of("[{\"_placeholder\":true,\"num\":0}]".getBytes(StandardCharsets.UTF_8),
                        List.of(new byte[] {9})));
        assertThat(frames).hasSize(2);
        assertThat(text(frames.get(0))).isEqualTo("451-/chat,[\"up\",{\"_placeholder\":true,\"num\":0}]");
        assertThat(frames.get(1).binary()).isTrue();
        assertThat(frames.get(1).bytes()).containsExactly(9);
    }

    @Test
    void manyAttachmentsKeepTheirOrder() {
        byte[][] attachments = new byte[12][];
        for (int i = 0; i < attachments.length; i++) {
            attachments[i] = new byte[] {(byte) i, (byte) (i * 7)};
        }
        List<Frame> frames = SocketIoPacketEncoder.event("/", "up",
                Payload.of("[1]".getBytes(StandardCharsets.UTF_8), Arrays.asList(attachments)));
        assertThat(frames).hasSize(13);
        assertThat(text(frames.get(0))).startsWith("4512-[\"up\",");
        for (int i = 0; i < attachments.length; i++) {
            assertThat(frames.get(i + 1).binary()).isTrue();
            assertThat(frames.get(i + 1).bytes()).isEqualTo(attachments[i]);
        }
    }

    // ---- ack ----

    @Test
    void ack() {
        assertThat(onlyText(SocketIoPacketEncoder.ack("/chat", 9, json("[1,\"a\"]")))).isEqualTo("43/chat,9[1,\"a\"]");
        assertThat(onlyText(SocketIoPacketEncoder.ack("/", 9, json("[1,\"a\"]")))).isEqualTo("439[1,\"a\"]");
        assertThat(onlyText(SocketIoPacketEncoder.ack("/", 0, Payload.empty()))).isEqualTo("430[]");
        assertThat(onlyText(SocketIoPacketEncoder.ack("/", Long.MAX_VALUE / 10, json("[ ]"))))
                .isEqualTo("43" + Long.MAX_VALUE / 10 + "[ ]");
    }

    @Test
    void binaryAck() {
        byte[] attachment = {42, 43};
        List<Frame> frames = SocketIoPacketEncoder.ack("/chat", 9,
                Payload.of("[{\"_placeholder\":true,\"num\":0}]".getBytes(StandardCharsets.UTF_8), List.of(attachment)));
        assertThat(frames).hasSize(2);
        assertThat(text(frames.get(0))).isEqualTo("461-/chat,9[{\"_placeholder\":true,\"num\":0}]");
        assertThat(frames.get(1).binary()).isTrue();
        assertThat(frames.get(1).bytes()).isEqualTo(attachment);

        List<Frame> main = SocketIoPacketEncoder.ack("/", 3,
                Payload.of("[{\"_placeholder\":true,\"num\":0}]".getBytes(StandardCharsets.UTF_8), List.of(attachment)));
        assertThat(text(main.get(0))).isEqualTo("461-3[{\"_placeholder\":true,\"num\":0}]");
    }

    // ---- connect / connect error / disconnect ----

    @Test
    void connect() throws Exception {
        assertThat(text(SocketIoPacketEncoder.connect("/", "w1.abc"))).isEqualTo("40{\"sid\":\"w1.abc\"}");
        String chat = text(SocketIoPacketEncoder.connect("/chat", "w1.abc"));
        assertThat(chat).isEqualTo("40/chat,{\"sid\":\"w1.abc\"}");
        assertThat(jsonAfter(chat, "40/chat,").get("sid").asText()).isEqualTo("w1.abc");
    }

    @Test
    void connectError() throws Exception {
        assertThat(text(SocketIoPacketEncoder.connectError("/x", "Invalid namespace")))
                .isEqualTo("44/x,{\"message\":\"Invalid namespace\"}");
        assertThat(text(SocketIoPacketEncoder.connectError("/", "nope"))).isEqualTo("44{\"message\":\"nope\"}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"say \"no\"", "back\\slash", "two\nlines", "ünï 日本 😀", "\u0001"})
    void connectErrorMessagesAreEscaped(String message) throws Exception {
        String packet = text(SocketIoPacketEncoder.connectError("/x", message));
        JsonNode object = jsonAfter(packet, "44/x,");
        assertThat(object.get("message").asText()).isEqualTo(message);
        assertThat(object).hasSize(1);
    }

    @Test
    void disconnect() {
        assertThat(text(SocketIoPacketEncoder.disconnect("/chat"))).isEqualTo("41/chat,");
        assertThat(text(SocketIoPacketEncoder.disconnect("/"))).isEqualTo("41");
    }

    // ---- the client's parser reads what the server writes ----

    @Test
    void connectAndDisconnectAreReadBackByTheDecoder() throws Exception {
        SocketIoPacket connect = SocketIoPacketDecoder.decode(strip(SocketIoPacketEncoder.connect("/chat", "w1.abc")));
        assertThat(connect.type()).isEqualTo(PacketType.CONNECT);
        assertThat(connect.namespace()).isEqualTo("/chat");
        assertThat(MAPPER.readTree(connect.data()).get("sid").asText()).isEqualTo("w1.abc");

        SocketIoPacket disconnect = SocketIoPacketDecoder.decode(strip(SocketIoPacketEncoder.disconnect("/chat")));
        assertThat(disconnect.type()).isEqualTo(PacketType.DISCONNECT);
        assertThat(disconnect.namespace()).isEqualTo("/chat");

        SocketIoPacket ack = SocketIoPacketDecoder.decode(strip(SocketIoPacketEncoder.ack("/chat", 9, json("[1]")).get(0)));
        assertThat(ack.type()).isEqualTo(PacketType.ACK);
        assertThat(ack.ackId()).isEqualTo(9);
        assertThat(new String(ack.data(), StandardCharsets.UTF_8)).isEqualTo("[1]");

        SocketIoPacket binaryAck = SocketIoPacketDecoder.decode(strip(SocketIoPacketEncoder.ack("/chat", 9,
                Payload.of("[{\"_placeholder\":true,\"num\":0}]".getBytes(StandardCharsets.UTF_8),
                        List.of(new byte[1]))).get(0)));
        assertThat(binaryAck.type()).isEqualTo(PacketType.BINARY_ACK);
        assertThat(binaryAck.attachments()).isEqualTo(1);
        assertThat(binaryAck.namespace()).isEqualTo("/chat");
        assertThat(binaryAck.ackId()).isEqualTo(9);
    }

    static byte[] strip(Frame frame) {
        assertThat(frame.binary()).isFalse();
        assertThat(frame.bytes()[0]).isEqualTo((byte) '4');
        return Arrays.copyOfRange(frame.bytes(), 1, frame.bytes().length);
    }
}
