package io.github.siodistributor.backend.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.siodistributor.backend.SocketArgs;
import io.github.siodistributor.core.protocol.Payload;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

class BinaryPlaceholdersTest {

    private static final ObjectMapper MAPPER = JsonMapper.builder().build();
    private static final ObjectMapper ENCODING = BinaryPlaceholders.encodingMapper(MAPPER);

    record File(String name, byte[] content) {
    }

    @Test
    void byteArraysBecomeAttachmentsInTheOrderTheyAreWritten() {
        Payload payload = BinaryPlaceholders.encode(ENCODING, new Object[] {new byte[] {1},
                Map.of("inner", List.of(new byte[] {2, 3})), "text", new File("f", new byte[] {4})});

        assertThat(new String(payload.jsonArray(), StandardCharsets.UTF_8)).isEqualTo(
                "[{\"_placeholder\":true,\"num\":0},{\"inner\":[{\"_placeholder\":true,\"num\":1}]},\"text\","
                        + "{\"name\":\"f\",\"content\":{\"_placeholder\":true,\"num\":2}}]");
        assertThat(payload.attachments()).containsExactly(new byte[] {1}, new byte[] {2, 3}, new byte[] {4});
    }

    @Test
    void withoutByteArraysThePayloadIsPlainJson() {
        Payload payload = BinaryPlaceholders.encode(ENCODING, new Object[] {1, "a"});

        assertThat(new String(payload.jsonArray(), StandardCharsets.UTF_8)).isEqualTo("[1,\"a\"]");
        assertThat(payload.hasAttachments()).isFalse();
    }

    @Test
    void outsideAnEmitTheEncodingMapperWritesBase64AsJacksonWould() {
        assertThat(ENCODING.writeValueAsString(new byte[] {1, 2, 3})).isEqualTo(MAPPER.writeValueAsString(
                new byte[] {1, 2, 3}));
    }

    @Test
    void placeholdersResolveToTheirAttachmentsAndBindToByteArrays() {
        Payload payload = Payload.of(("[{\"name\":\"f\",\"content\":{\"_placeholder\":true,\"num\":1}},"
                + "{\"num\":0,\"_placeholder\":true}]").getBytes(StandardCharsets.UTF_8),
                List.of(new byte[] {7}, new byte[] {8, 9}));
        SocketArgs args = SocketArgs.wrap(payload, MAPPER);

        assertThat(args.get(0, File.class).content()).containsExactly(8, 9);
        assertThat(args.get(1, byte[].class)).containsExactly(7);
    }

    @Test
    void objectsThatOnlyLookLikePlaceholdersStayAsTheyAre() {
        List<byte[]> attachments = List.of(new byte[] {1});
        JsonNode tree = MAPPER.readTree("[{\"_placeholder\":true,\"num\":5},{\"_placeholder\":false,\"num\":0},"
                + "{\"_placeholder\":true,\"num\":0,\"extra\":1},{\"_placeholder\":\"true\",\"num\":0}]");

        JsonNode resolved = BinaryPlaceholders.resolve(tree, attachments);

        for (JsonNode element : resolved) {
            assertThat(element.isObject()).as(element.toString()).isTrue();
        }
    }
}
