package io.github.siodistributor.core.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.siodistributor.core.engine.Frame;
import io.github.siodistributor.core.protocol.Payload;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Encode an event, strip the Engine.IO '4', decode it: the same namespace, name and arguments. */
class SocketIoPacketRoundTripTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> RESERVED = Set.of("connect", "connect_error", "disconnect", "disconnecting",
            "newListener", "removeListener");
    private static final int[] SPECIAL = {'"', '\\', '\n', '\r', '\t', '\b', '\f', 0, 0x1f, 0x7f, '/', ',', '[', ']',
        '{', '}', ' ', 'é', 'ü', '日', 0x1F600, 0x10FFFF, 0xFFFD, 0x2028, '-', '0', '9'};

    @Test
    void randomEventsSurviveEncodeThenDecode() throws Exception {
        Random random = new Random(20240517L);
        for (int round = 0; round < 3_000; round++) {
            String namespace = random.nextInt(3) == 0 ? "/" : "/" + randomNamespace(random);
            String event = randomName(random);
            ArrayNode args = NODES.arrayNode();
            int count = random.nextInt(5);
            for (int i = 0; i < count; i++) {
                args.add(randomValue(random, 3));
            }
            byte[] json = random.nextInt(4) == 0
                    ? MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(args)
                    : MAPPER.writeValueAsBytes(args);

            List<Frame> frames = SocketIoPacketEncoder.event(namespace, event, Payload.ofJsonArray(json));
            assertThat(frames).hasSize(1);
            byte[] packet = SocketIoPacketEncoderTest.strip(frames.get(0));
            SocketIoPacket decoded = SocketIoPacketDecoder.decode(packet);

            String what = "round " + round + ": " + new String(packet, StandardCharsets.UTF_8);
            assertThat(decoded.type()).as(what).isEqualTo(PacketType.EVENT);
            assertThat(decoded.namespace()).as(what).isEqualTo(namespace);
            assertThat(decoded.event()).as(what).isEqualTo(event);
            assertThat(decoded.ackId()).as(what).isEqualTo(SocketIoPacket.NO_ACK);
            assertThat(MAPPER.readTree(decoded.data())).as(what).isEqualTo(args);
            // the whole text packet is valid JSON after its header: ["event", ...args]
            JsonNode whole = MAPPER.readTree(new String(packet, StandardCharsets.UTF_8)
                    .substring(namespace.equals("/") ? 1 : 1 + namespace.length() + 1));
            assertThat(whole.get(0).asText()).as(what).isEqualTo(event);
        }
    }

    @Test
    void randomBinaryEventsSurviveEncodeThenDecode() throws Exception {
        Random random = new Random(77L);
        for (int round = 0; round < 500; round++) {
            String namespace = random.nextBoolean() ? "/" : "/" + randomNamespace(random);
            String event = randomName(random);
            int attachments = 1 + random.nextInt(4);
            ArrayNode args = NODES.arrayNode();
            List<byte[]> binaries = new ArrayList<>();
            for (int i = 0; i < attachments; i++) {
                args.add(NODES.objectNode().put("_placeholder", true).put("num", i));
                byte[] bytes = new byte[random.nextInt(16)];
                random.nextBytes(bytes);
                binaries.add(bytes);
            }
            if (random.nextBoolean()) {
                args.add(randomValue(random, 2));
            }
            List<Frame> frames = SocketIoPacketEncoder.event(namespace, event,
                    Payload.of(MAPPER.writeValueAsBytes(args), binaries));
            assertThat(frames).hasSize(1 + attachments);
            SocketIoPacket decoded = SocketIoPacketDecoder.decode(SocketIoPacketEncoderTest.strip(frames.get(0)));
            assertThat(decoded.type()).isEqualTo(PacketType.BINARY_EVENT);
            assertThat(decoded.attachments()).isEqualTo(attachments);
            assertThat(decoded.namespace()).isEqualTo(namespace);
            assertThat(decoded.event()).isEqualTo(event);
            assertThat(MAPPER.readTree(decoded.data())).isEqualTo(args);
            for (int i = 0; i < attachments; i++) {
                assertThat(frames.get(1 + i).binary()).isTrue();
                assertThat(frames.get(1 + i).bytes()).isEqualTo(binaries.get(i));
            }
        }
    }

    @Test
    void randomAcksSurviveEncodeThenDecode() throws Exception {
        Random random = new Random(99L);
        for (int round = 0; round < 500; round++) {
            String namespace = random.nextBoolean() ? "/" : "/" + randomNamespace(random);
            long id = random.nextInt(4) == 0 ? random.nextLong() & (Long.MAX_VALUE / 10) : random.nextInt(1000);
            ArrayNode args = NODES.arrayNode();
            for (int i = random.nextInt(4); i > 0; i--) {
                args.add(randomValue(random, 3));
            }
            List<Frame> frames = SocketIoPacketEncoder.ack(namespace, id, Payload.ofJsonArray(MAPPER.writeValueAsBytes(args)));
            SocketIoPacket decoded = SocketIoPacketDecoder.decode(SocketIoPacketEncoderTest.strip(frames.get(0)));
            assertThat(decoded.type()).isEqualTo(PacketType.ACK);
            assertThat(decoded.namespace()).isEqualTo(namespace);
            assertThat(decoded.ackId()).isEqualTo(id);
            assertThat(MAPPER.readTree(decoded.data())).isEqualTo(args);
        }
    }

    private static String randomName(Random random) {
        String name;
        do {
            name = switch (random.nextInt(5)) {
                case 0 -> "ev" + random.nextInt(100);
                case 1 -> Integer.toString(random.nextInt(1000)); // looks numeric, still a string
                default -> randomString(random, random.nextInt(12));
            };
        } while (RESERVED.contains(name));
        return name;
    }

    /** Namespaces never contain ',' (the header separator); anything else goes. */
    private static String randomNamespace(Random random) {
        StringBuilder name = new StringBuilder();
        int length = 1 + random.nextInt(8);
        for (int i = 0; i < length; i++) {
            int cp = random.nextInt(4) == 0 ? SPECIAL[random.nextInt(SPECIAL.length)] : 'a' + random.nextInt(26);
            if (cp == ',' || cp == 0) {
                cp = '_';
            }
            name.appendCodePoint(cp);
        }
        return name.toString();
    }

    private static String randomString(Random random, int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int kind = random.nextInt(4);
            int cp;
            if (kind == 0) {
                cp = SPECIAL[random.nextInt(SPECIAL.length)];
            } else if (kind == 1) {
                do {
                    cp = random.nextInt(0x110000);
                } while (cp >= 0xD800 && cp <= 0xDFFF);
            } else {
                cp = 0x20 + random.nextInt(0x5f);
            }
            text.appendCodePoint(cp);
        }
        return text.toString();
    }

    private static JsonNode randomValue(Random random, int depth) {
        int kind = random.nextInt(depth > 0 ? 9 : 7);
        return switch (kind) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(random.nextBoolean());
            case 2 -> NODES.numberNode(random.nextInt());
            case 3 -> NODES.numberNode(random.nextLong());
            case 4 -> NODES.numberNode(random.nextInt(1_000_000) / 8.0);
            case 5, 6 -> NODES.textNode(randomString(random, random.nextInt(10)));
            case 7 -> {
                ArrayNode array = NODES.arrayNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    array.add(randomValue(random, depth - 1));
                }
                yield array;
            }
            default -> {
                ObjectNode object = NODES.objectNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    object.set(randomString(random, random.nextInt(6)), randomValue(random, depth - 1));
                }
                yield object;
            }
        };
    }
}
