package io.github.siodistributor.benchmarks.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * One Socket.IO client on one WebSocket (Engine.IO v4, {@code transport=websocket} from the start), connected to
 * one namespace. It answers the server's pings and hands acks and events to its {@link Listener} on the channel's
 * event loop; everything else a real client does (reconnection, buffering, long-polling) is left out.
 */
public final class BenchClient extends SimpleChannelInboundHandler<WebSocketFrame> {

    /** What a scenario does with what its clients receive; called on the client's event loop. */
    public interface Listener {
        default void onAck(BenchClient client, long ackId, ByteBuf packet, int dataStart) {
        }

        default void onEvent(BenchClient client, ByteBuf packet, Packets.Parsed parsed) {
        }

        default void onClosed(BenchClient client) {
        }
    }

    private static final byte[] PONG = {Packets.PONG};

    private final int index;
    private final byte[] namespace;
    private final String authJson;
    private final Listener listener;
    private final CompletableFuture<BenchClient> connected = new CompletableFuture<>();
    private final Packets.Parsed parsed = new Packets.Parsed();
    private Channel channel;
    private volatile String socketId;
    private volatile int pings;
    private volatile boolean closed;
    /** The next ack id this client asks for; scenarios use it on the event loop only. */
    private long nextAckId;

    BenchClient(int index, String namespace, String authJson, Listener listener) {
        this.index = index;
        this.namespace = Packets.ascii(namespace);
        this.authJson = authJson;
        this.listener = listener;
    }

    public int index() {
        return index;
    }

    public Channel channel() {
        return channel;
    }

    /** The id the server gave the namespace socket, once connected. */
    public String socketId() {
        return socketId;
    }

    public int pings() {
        return pings;
    }

    public boolean isOpen() {
        return !closed && channel != null && channel.isActive();
    }

    CompletableFuture<BenchClient> connected() {
        return connected;
    }

    /** Emits an event with ack, the arguments given as JSON (without brackets); returns the ack id. Event loop only. */
    public long emitWithAck(byte[] quotedEvent, byte[] argsJson) {
        long ackId = nextAckId++;
        ByteBuf out = channel.alloc().buffer(32 + namespace.length + quotedEvent.length + argsJson.length);
        Packets.writeEvent(out, namespace, ackId, quotedEvent, argsJson);
        channel.write(new TextWebSocketFrame(out));
        return ackId;
    }

    /** Emits an event with ack whose one argument is a number; returns the ack id. Event loop only. */
    public long emitWithAck(byte[] quotedEvent, long number) {
        long ackId = nextAckId++;
        ByteBuf out = channel.alloc().buffer(48 + namespace.length + quotedEvent.length);
        Packets.writeEvent(out, namespace, ackId, quotedEvent, number);
        channel.write(new TextWebSocketFrame(out));
        return ackId;
    }

    /** Emits an event without ack. Event loop only. */
    public void emit(byte[] quotedEvent, byte[] argsJson) {
        ByteBuf out = channel.alloc().buffer(32 + namespace.length + quotedEvent.length + argsJson.length);
        Packets.writeEvent(out, namespace, -1, quotedEvent, argsJson);
        channel.write(new TextWebSocketFrame(out));
    }

    public void flush() {
        channel.flush();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            connected.completeExceptionally(new IllegalStateException("WebSocket handshake timed out"));
            ctx.close();
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (!(frame instanceof TextWebSocketFrame)) {
            return; // the scenarios send no binary
        }
        ByteBuf packet = frame.content();
        Packets.parse(packet, parsed);
        switch (parsed.engineType) {
            case Packets.PING -> ctx.writeAndFlush(new TextWebSocketFrame(ctx.alloc().buffer(1).writeBytes(PONG)));
            case Packets.OPEN -> {
                ByteBuf out = ctx.alloc().buffer(16 + namespace.length);
                Packets.writeConnect(out, namespace, authJson);
                ctx.writeAndFlush(new TextWebSocketFrame(out));
            }
            case Packets.MESSAGE -> onMessage(packet);
            case Packets.CLOSE -> ctx.close();
            default -> {
            }
        }
        if (parsed.engineType == Packets.PING) {
            pings++;
        }
    }

    private void onMessage(ByteBuf packet) {
        if (!parsed.isNamespace(packet, namespace)) {
            return;
        }
        switch (parsed.socketType) {
            case Packets.ACK -> listener.onAck(this, parsed.ackId, packet, parsed.dataStart);
            case Packets.EVENT -> listener.onEvent(this, packet, parsed);
            case Packets.CONNECT -> {
                String data = packet.toString(parsed.dataStart, packet.writerIndex() - parsed.dataStart,
                        StandardCharsets.UTF_8);
                int sid = data.indexOf("\"sid\":\"");
                socketId = sid < 0 ? "" : data.substring(sid + 7, data.indexOf('"', sid + 7));
                connected.complete(this);
            }
            case Packets.CONNECT_ERROR -> connected.completeExceptionally(new IllegalStateException(
                    "connect_error: " + packet.toString(StandardCharsets.UTF_8)));
            case Packets.DISCONNECT -> channel.close();
            default -> {
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closed = true;
        connected.completeExceptionally(new IllegalStateException("connection closed before the namespace connected"));
        listener.onClosed(this);
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        connected.completeExceptionally(cause);
        ctx.close();
    }
}
