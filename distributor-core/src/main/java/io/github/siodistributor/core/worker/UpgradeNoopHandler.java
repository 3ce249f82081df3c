package io.github.siodistributor.core.worker;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.messages.PacketsMessage;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.CharsetUtil;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fixes netty-socketio's polling-to-WebSocket upgrade stall.
 *
 * <p>On the WebSocket probe ({@code 2probe}) netty-socketio sends one noop on the polling transport,
 * at once. When that noop ends the client's current poll before the client has read {@code 3probe},
 * the client opens a new poll, then pauses polling and waits for that poll to finish before it sends
 * the upgrade packet. Nothing answers the new poll, so the upgrade stalls until the next ping. The
 * reference server keeps answering polls with a noop for as long as the upgrade is pending; this
 * handler does the same: between the probe and the upgrade packet, every polling GET of the session
 * is completed with a noop.
 */
@Sharable
final class UpgradeNoopHandler extends ChannelInboundHandlerAdapter {

    private final Map<UUID, ClientHead> upgrading = new ConcurrentHashMap<>();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof PacketsMessage packets && packets.getTransport() == Transport.WEBSOCKET) {
            trackUpgrade(ctx, packets);
            ctx.fireChannelRead(msg);
        } else if (msg instanceof FullHttpRequest request && HttpMethod.GET.equals(request.method())
                && !upgrading.isEmpty()) {
            ClientHead client = upgradingClient(request);
            ctx.fireChannelRead(msg); // the polling transport binds this request as the session's poll
            if (client != null) {
                client.send(new Packet(PacketType.NOOP, client.getEngineIOVersion()), Transport.POLLING);
            }
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private void trackUpgrade(ChannelHandlerContext ctx, PacketsMessage packets) {
        ByteBuf content = packets.getContent();
        int length = content.readableBytes();
        if (length == 6 && content.toString(content.readerIndex(), 6, CharsetUtil.US_ASCII).equals("2probe")) {
            ClientHead client = packets.getClient();
            UUID sessionId = client.getSessionId();
            upgrading.put(sessionId, client);
            ctx.channel().closeFuture().addListener(closed -> upgrading.remove(sessionId));
        } else if (length == 1 && content.getByte(content.readerIndex()) == '5') {
            upgrading.remove(packets.getClient().getSessionId());
        }
    }

    private ClientHead upgradingClient(FullHttpRequest request) {
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        List<String> transport = query.parameters().get("transport");
        List<String> sid = query.parameters().get("sid");
        if (transport == null || sid == null || !"polling".equals(transport.get(0))) {
            return null;
        }
        try {
            return upgrading.get(UUID.fromString(sid.get(0)));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
