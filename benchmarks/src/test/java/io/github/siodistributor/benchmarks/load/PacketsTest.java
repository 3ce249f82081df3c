package io.github.siodistributor.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The load generator's packet codec against hand-written Engine.IO v4 / Socket.IO v5 packets. */
class PacketsTest {

    private static final byte[] CHAT = Packets.ascii("/chat");

    @Test
    void parsesAnAckWithItsNamespaceIdAndData() {
        ByteBuf packet = text("43/chat,1234[\"a\",5]");
        Packets.Parsed parsed = new Packets.Parsed();
        Packets.parse(packet, parsed);
        assertThat(parsed.engineType).isEqualTo(Packets.MESSAGE);
        assertThat(parsed.socketType).isEqualTo(Packets.ACK);
        assertThat(parsed.isNamespace(packet, CHAT)).isTrue();
        assertThat(parsed.isNamespace(packet, Packets.ascii("/cha"))).isFalse();
        assertThat(parsed.ackId).isEqualTo(1234);
        assertThat(rest(packet, parsed)).isEqualTo("[\"a\",5]");
    }

    @Test
    void parsesAnEventWithoutAckAndTheMainNamespace() {
        ByteBuf packet = text("42[\"said\",{\"text\":\"7\"}]");
        Packets.Parsed parsed = new Packets.Parsed();
        Packets.parse(packet, parsed);
        assertThat(parsed.socketType).isEqualTo(Packets.EVENT);
        assertThat(parsed.isNamespace(packet, Packets.ascii("/"))).isTrue();
        assertThat(parsed.isNamespace(packet, CHAT)).isFalse();
        assertThat(parsed.ackId).isEqualTo(-1);
        assertThat(rest(packet, parsed)).isEqualTo("[\"said\",{\"text\":\"7\"}]");
    }

    @Test
    void engineIoPacketsHaveNoSocketType() {
        Packets.Parsed parsed = new Packets.Parsed();
        Packets.parse(text("2"), parsed);
        assertThat(parsed.engineType).isEqualTo(Packets.PING);
        assertThat(parsed.socketType).isZero();
        Packets.parse(text("0{\"sid\":\"x\"}"), parsed);
        assertThat(parsed.engineType).isEqualTo(Packets.OPEN);
    }

    @Test
    void writesEventsAndConnects() {
        ByteBuf out = Unpooled.buffer();
        Packets.writeEvent(out, CHAT, 17, Packets.ascii("\"echo\""), 1234567890123L);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("42/chat,17[\"echo\",1234567890123]");
        out.clear();
        Packets.writeEvent(out, CHAT, -1, Packets.ascii("\"poke\""), Packets.ascii("\"hi\",0"));
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("42/chat,[\"poke\",\"hi\",0]");
        out.clear();
        Packets.writeEvent(out, Packets.ascii("/"), 0, Packets.ascii("\"ping\""), new byte[0]);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("420[\"ping\"]");
        out.clear();
        Packets.writeConnect(out, CHAT, null);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("40/chat,");
    }

    @Test
    void readsTheNumberAfterAKeyQuotedOrNot() {
        byte[] text = Packets.ascii("\"text\":");
        assertThat(Packets.numberAfter(text("[\"said\",{\"room\":\"r\",\"text\":\"42\"}]"), 0, text)).isEqualTo(42);
        assertThat(Packets.numberAfter(text("{\"heapUsed\":123456,\"text\":9}"), 0, text)).isEqualTo(9);
        assertThat(Packets.numberAfter(text("{\"other\":1}"), 0, text)).isEqualTo(-1);
    }

    private static ByteBuf text(String packet) {
        return Unpooled.copiedBuffer(packet, StandardCharsets.UTF_8);
    }

    private static String rest(ByteBuf packet, Packets.Parsed parsed) {
        return packet.toString(parsed.dataStart, packet.writerIndex() - parsed.dataStart, StandardCharsets.UTF_8);
    }
}
