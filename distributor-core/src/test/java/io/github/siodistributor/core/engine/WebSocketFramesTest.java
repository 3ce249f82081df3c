package io.github.siodistributor.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The frames a broadcast is written with are what a WebSocket client reads: checked with Netty's own decoder. */
class WebSocketFramesTest {

    @Test
    void framesEveryPayloadLengthClassAsAClientDecodesThem() {
        byte[] small = "42[\"said\",1]".getBytes(StandardCharsets.UTF_8);
        byte[] limit = filled(125, (byte) 'a');
        byte[] medium = filled(126, (byte) 'b');
        byte[] large = filled(70_000, (byte) 'c');
        byte[] binary = {0, 1, 2, (byte) 0xff};
        List<Frame> frames = List.of(Frame.text(small), Frame.text(limit), Frame.text(medium), Frame.text(large),
                Frame.binary(binary));

        ByteBuf wire = WebSocketFrames.encode(ByteBufAllocator.DEFAULT, frames);
        EmbeddedChannel client = new EmbeddedChannel(new WebSocket08FrameDecoder(WebSocketDecoderConfig.newBuilder()
                .expectMaskedFrames(false).maxFramePayloadLength(1 << 20).build()));
        client.writeInbound(wire);

        for (Frame sent : frames) {
            WebSocketFrame received = client.readInbound();
            assertThat(received).isInstanceOf(sent.binary() ? BinaryWebSocketFrame.class : TextWebSocketFrame.class);
            assertThat(received.isFinalFragment()).isTrue();
            assertThat(ByteBufUtil.getBytes(received.content())).isEqualTo(sent.bytes());
            received.release();
        }
        assertThat((Object) client.readInbound()).isNull();
        client.finishAndReleaseAll();
    }

    private static byte[] filled(int length, byte value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, value);
        return bytes;
    }
}
