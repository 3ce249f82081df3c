package io.github.siodistributor.core.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import com.corundumstudio.socketio.protocol.ConnPacket;
import com.corundumstudio.socketio.protocol.Event;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.siodistributor.core.protocol.Payload;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ForwardingJsonSupportTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ForwardingJsonSupport support = new ForwardingJsonSupport("w-7");

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(Payload payload) {
        return new String(payload.jsonArray(), StandardCharsets.UTF_8);
    }

    // ---- reading client events ----------------------------------------------------------------

    @Test
    void splitsTheNameFromTheArguments() throws IOException {
        ForwardedEvent event = ForwardingJsonSupport.readForwardedEvent(utf8("[\"say\",{\"a\":1},2]"));

        assertThat(event.name()).isEqualTo("say");
        assertThat(text(event.args())).isEqualTo("[{\"a\":1},2]");
    }

    @Test
    void anEventWithoutArgumentsHasAnEmptyArray() throws IOException {
        ForwardedEvent event = ForwardingJsonSupport.readForwardedEvent(utf8("[\"x\"]"));

        assertThat(event.name()).isEqualTo("x");
        assertThat(text(event.args())).isEqualTo("[]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[ \"x\" , 1 ]", "[\"x\",1]", "[\"x\" ,1]", "[\"x\", 1]", "\n[\t\"x\"\r\n,\n1\n]\n",
            "  [\"x\",1]  "})
    void toleratesWhitespaceAnywhereJsonAllowsIt(String packet) throws IOException {
        ForwardedEvent event = ForwardingJsonSupport.readForwardedEvent(utf8(packet));

        assertThat(event.name()).isEqualTo("x");
        assertThat(JSON.readTree(event.args().jsonArray())).isEqualTo(JSON.readTree("[1]"));
        assertThat(event.args().jsonArray()[0]).isEqualTo((byte) '[');
    }

    @ParameterizedTest
    @ValueSource(strings = {"[\"x\" ]", "[ \"x\"]", "[ \"x\" \n ]", "[\"x\"]\n"})
    void whitespaceWithoutArgumentsIsStillNoArguments(String packet) throws IOException {
        ForwardedEvent event = ForwardingJsonSupport.readForwardedEvent(utf8(packet));

        assertThat(event.name()).isEqualTo("x");
        assertThat(text(event.args())).isEqualTo("[]");
    }

    @Test
    void keepsTheArgumentBytesAsSent() throws IOException {
        // no re-encoding: number formats, key order, escapes and spacing survive
        String args = "1.50e3, {\"z\":1, \"a\":\"\\u00e9\\\"\"}, [ ], null, true, \"😀\"";

        ForwardedEvent event = ForwardingJsonSupport.readForwardedEvent(utf8("[\"e\"," + args + "]"));

        assertThat(text(event.args())).isEqualTo("[" + args + "]");
    }

    @Test
    void unescapesTheName() throws IOException {
        ForwardedEvent event = ForwardingJsonSupport.readForwardedEvent(utf8("[\"a\\\"b\",1]"));

        assertThat(event.name()).isEqualTo("a\"b");
        assertThat(text(event.args())).isEqualTo("[1]");
    }

    @Test
    void unescapesUnicodeEscapesInTheName() throws IOException {
        ForwardedEvent event = ForwardingJsonSupport.readForwardedEvent(utf8("[\"\\u00e9\\n\\\\\",[2]]"));

        assertThat(event.name()).isEqualTo("é\n\\");
        assertThat(text(event.args())).isEqualTo("[[2]]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"héllo", "日本語", "😀", "évènement 😀 日本", "ß"})
    void readsNamesBeyondAsciiAndCutsTheArgumentsAtTheRightByte(String name) throws IOException {
        ForwardedEvent event = ForwardingJsonSupport.readForwardedEvent(utf8("[\"" + name + "\",\"" + name + "\",3]"));

        assertThat(event.name()).isEqualTo(name);
        assertThat(text(event.args())).isEqualTo("[\"" + name + "\",3]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1]", "{}", "[\"x\" 1]", "[\"x\",1", "[]", "", "\"x\"", "[null,1]", "[[\"x\"],1]",
            "[\"x\",1}", "[\"x\"] 1", "[\"x\";1]", "{\"x\":1}"})
    void rejectsWhatIsNotAnEventArray(String packet) {
        assertThatExceptionOfType(IOException.class)
                .isThrownBy(() -> ForwardingJsonSupport.readForwardedEvent(utf8(packet)));
    }

    @Test
    void readValueTurnsEveryEventIntoTheForwardedEvent() throws IOException {
        ByteBuf buffer = Unpooled.copiedBuffer("[\"say\",\"hi\",{\"a\":1}]", StandardCharsets.UTF_8);

        Event event = support.readValue("/chat", new ByteBufInputStream(buffer), Event.class);

        assertThat(event.getName()).isEqualTo(ForwardingJsonSupport.FORWARDED_EVENT);
        assertThat(event.getArgs()).singleElement().isInstanceOfSatisfying(ForwardedEvent.class, forwarded -> {
            assertThat(forwarded.name()).isEqualTo("say");
            assertThat(text(forwarded.args())).isEqualTo("[\"hi\",{\"a\":1}]");
        });
    }

    @Test
    void theForwardedEventNameCannotBeAClientEventName() throws IOException {
        String clientName = ForwardingJsonSupport.readForwardedEvent(utf8("[\"forward\"]")).name();

        assertThat(ForwardingJsonSupport.FORWARDED_EVENT).isNotEqualTo(clientName).contains("\u0000");
    }

    // ---- writing to clients ---------------------------------------------------------------------

    private String write(Object value) throws IOException {
        ByteBuf buffer = Unpooled.buffer();
        try (ByteBufOutputStream out = new ByteBufOutputStream(buffer)) {
            support.writeValue(out, value);
        }
        try {
            return buffer.toString(StandardCharsets.UTF_8);
        } finally {
            buffer.release();
        }
    }

    private static RawArguments raw(String json) {
        return new RawArguments(Payload.ofJsonArray(utf8(json)));
    }

    @Test
    void splicesRawEventArgumentsAfterTheName() throws IOException {
        assertThat(write(List.of("said", raw("[1,{\"b\":2}]")))).isEqualTo("[\"said\",1,{\"b\":2}]");
    }

    @Test
    void anEventWithAnEmptyPayloadIsJustTheName() throws IOException {
        assertThat(write(List.of("said", new RawArguments(Payload.empty())))).isEqualTo("[\"said\"]");
        assertThat(write(List.of("said", raw("[ ]")))).isEqualTo("[\"said\"]");
    }

    @Test
    void escapesTheEventName() throws IOException {
        String written = write(List.of("a\"b\\c\n😀", raw("[1]")));

        assertThat(written).isEqualTo("[\"a\\\"b\\\\c\\n😀\",1]");
        assertThat(JSON.readTree(written).get(0).asText()).isEqualTo("a\"b\\c\n😀");
    }

    @Test
    void writesAckArgumentsAsTheyAre() throws IOException {
        assertThat(write(List.of(raw("[1,{\"b\":2}]")))).isEqualTo("[1,{\"b\":2}]");
        assertThat(write(List.of(raw("[\"ok\"]")))).isEqualTo("[\"ok\"]");
        assertThat(write(List.of(new RawArguments(Payload.empty())))).isEqualTo("[]");
    }

    @Test
    void splicesPayloadBytesWithoutReencodingThem() throws IOException {
        String args = "[1.50e3,{\"z\":1, \"a\":\"\\u00e9\"},\"日本😀\"]";

        assertThat(write(List.of("e", raw(args)))).isEqualTo("[\"e\"," + args.substring(1));
    }

    @Test
    void theConnectReplyCarriesTheDistributorSocketId() throws IOException {
        UUID session = UUID.randomUUID();

        String written = write(new ConnPacket(session));

        assertThat(written).isEqualTo("{\"sid\":\"w-7." + session + "\"}");
        assertThat(JSON.readTree(written).get("sid").asText()).isEqualTo("w-7." + session);
    }

    @Test
    void aConnectErrorTextBecomesAMessageObject() throws IOException {
        assertThat(write("Invalid namespace")).isEqualTo("{\"message\":\"Invalid namespace\"}");
    }

    @Test
    void escapesTheConnectErrorText() throws IOException {
        String written = write("say \"no\" \\ to\nü");

        assertThat(written).isEqualTo("{\"message\":\"say \\\"no\\\" \\\\ to\\nü\"}");
        assertThat(JSON.readTree(written).get("message").asText()).isEqualTo("say \"no\" \\ to\nü");
    }

    @Test
    void leavesEverythingElseToJackson() throws IOException {
        JsonNode list = JSON.readTree(write(List.of("said", 1, Map.of("b", 2))));
        JsonNode map = JSON.readTree(write(Map.of("sid", "abc", "upgrades", List.of())));

        assertThat(list).isEqualTo(JSON.readTree("[\"said\",1,{\"b\":2}]"));
        assertThat(map).isEqualTo(JSON.readTree("{\"sid\":\"abc\",\"upgrades\":[]}"));
    }

    @Test
    void whatIsWrittenIsWhatIsReadBack() throws IOException {
        String written = write(List.of("round", raw("[\"trip\",{\"n\":[1,2,3]}]")));

        ForwardedEvent event = ForwardingJsonSupport.readForwardedEvent(utf8(written));

        assertThat(event.name()).isEqualTo("round");
        assertThat(text(event.args())).isEqualTo("[\"trip\",{\"n\":[1,2,3]}]");
    }
}
