package io.github.siodistributor.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Closing a WebSocket sends the close frame, then ends the connection, but never waits on a client that reads
 * no more: its connection, with all that was queued for it, would otherwise stay for ever.
 */
class WebSocketCloseTest {

    @Test
    void theCloseFrameGoesOutThenTheConnectionEnds() {
        EmbeddedChannel channel = new EmbeddedChannel();

        EngineWebSocketHandler.close(channel);
        channel.runPendingTasks();

        Object written = channel.readOutbound();
        assertThat(written).isInstanceOf(CloseWebSocketFrame.class);
        ReferenceCountUtil.release(written);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aConnectionThatCannotTakeTheFrameEndsAtOnce() {
        EmbeddedChannel channel = new EmbeddedChannel();
        // as when the client stopped reading and the outbound buffer is over its high water mark
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        assertThat(channel.isWritable()).isFalse();

        EngineWebSocketHandler.close(channel);

        assertThat(channel.isOpen()).isFalse();
        assertThat((Object) channel.readOutbound()).isNull();
    }

    @Test
    void aCloseFrameThatNeverGoesOutEndsTheConnectionAfterTheTimeout() {
        // a write that never completes: the peer reads nothing, yet the channel was still writable
        EmbeddedChannel channel = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object message, ChannelPromise promise) {
                ReferenceCountUtil.release(message);
            }
        });
        channel.freezeTime();

        EngineWebSocketHandler.close(channel);
        channel.runPendingTasks();
        assertThat(channel.isOpen()).as("while the frame may still go out").isTrue();

        channel.advanceTimeBy(EngineWebSocketHandler.CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();

        assertThat(channel.isOpen()).isFalse();
    }
}
