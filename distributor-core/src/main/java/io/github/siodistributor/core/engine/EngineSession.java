package io.github.siodistributor.core.engine;

import io.github.siodistributor.core.engine.HttpReplies.Requester;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Engine.IO v4 session: its transport (HTTP long-polling, or WebSocket from the start or after an
 * upgrade), its outgoing queue and its heartbeat.
 *
 * <p>All state belongs to one event loop, the one of the connection that opened the session; work
 * from elsewhere (other connections, Redis) is handed to it, so nothing here needs a lock.
 */
public final class EngineSession {

    private static final Logger log = LoggerFactory.getLogger(EngineSession.class);

    private static final byte RECORD_SEPARATOR = 0x1e;
    private static final byte[] OK = "ok".getBytes(StandardCharsets.US_ASCII);
    /** How many of the largest messages (max-payload) a client may leave untaken before its session ends. */
    static final long PENDING_PAYLOADS = 16;

    private final String id;
    private final EventLoop loop;
    private final EngineServer server;
    private final EngineHandshake handshake;
    private final ArrayDeque<Frame> queue = new ArrayDeque<>();
    /** The bytes of the packets in {@link #queue}. */
    private long queuedBytes;

    private boolean websocket;
    private Channel webSocketChannel;
    /**
     * Where this session's WebSocket bytes go, already framed ({@link WebSocketFrames}): the context of Netty's
     * frame encoder, so they pass every handler before it but not the encoder, which would let them through as
     * they are after a type check, and not the handlers after it, which only read.
     */
    private ChannelHandlerContext webSocketOut;
    /** Volatile: read on the probe's own event loop, see {@link #onUpgradePacketReceived}. */
    private volatile Channel probeChannel;
    private boolean upgrading;
    /** The WebSocket on which the client sent the upgrade packet; set as soon as it is read, before it is processed. */
    private volatile Channel upgradeRequestedOn;
    /** The latest WebSocket opened for this polling session, from the moment its handshake is done. */
    private volatile Channel upgradeCandidate;
    /** Volatile for {@link #hasParkedPoll()}; otherwise touched on the session's loop only. */
    private volatile Requester pendingPoll;
    private ScheduledFuture<?> pingTask;
    private ScheduledFuture<?> pongTimeout;
    /** Holds on reading the client's WebSocket, by the layer above ({@link #holdReads}); on the session's loop. */
    private int readHolds;
    /** A long-polling POST whose "ok" waits for the read holds to end; on the session's loop. */
    private Requester heldPost;
    private ScheduledFuture<?> upgradeTimeout;
    private volatile boolean closed;
    /** Set by {@link #closeAfterFlush}: the reason to close with once the queued frames are delivered. */
    private String closeWhenFlushed;
    private volatile Object attachment;
    /** The connection receiving a POST's body for this session, if any: Engine.IO allows one at a time. */
    private final AtomicReference<Channel> receivingPost = new AtomicReference<>();

    /** Whether it holds a place among the server's sessions not yet in use, until it is ({@link #inUse}) or closes. */
    private final AtomicBoolean pending;

    EngineSession(String id, EventLoop loop, EngineServer server, EngineHandshake handshake, boolean pending) {
        this.id = id;
        this.loop = loop;
        this.server = server;
        this.handshake = handshake;
        this.pending = new AtomicBoolean(pending);
    }

    /**
     * The layer above took the session (a Socket.IO namespace joined): it no longer counts among those a client may
     * open only so many of without using them.
     */
    public void inUse() {
        if (pending.getAndSet(false)) {
            server.releasePending();
        }
    }

    public String id() {
        return id;
    }

    public EngineHandshake handshake() {
        return handshake;
    }

    /** State the layer above keeps with the session. */
    public Object attachment() {
        return attachment;
    }

    public void attach(Object value) {
        attachment = value;
    }

    public boolean isOpen() {
        return !closed;
    }

    /** Whether a long-polling GET is held, waiting for something to send. */
    public boolean hasParkedPoll() {
        return pendingPoll != null;
    }

    /** Runs {@code task} on the session's event loop. */
    public void execute(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    public ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        return loop.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Sends frames in order, from any thread; after close they are dropped. */
    public void send(List<Frame> frames) {
        execute(() -> {
            if (!closed) {
                write(frames);
            }
        });
    }

    /**
     * Sends frames only if the transport can take them now (Socket.IO's {@code volatile}): a WebSocket
     * whose outbound buffer is below its high-water mark, or a held long-polling request; otherwise they
     * are dropped and {@code onDiscarded} runs.
     */
    public void sendIfWritable(List<Frame> frames, Runnable onDiscarded) {
        execute(() -> {
            if (closed) {
                return;
            }
            boolean writable = websocket ? webSocketChannel.isWritable() : pendingPoll != null && !upgrading;
            if (writable) {
                write(frames);
            } else {
                onDiscarded.run();
            }
        });
    }

    private void write(List<Frame> frames) {
        if (websocket) {
            writeWebSocket(frames);
        } else {
            long bytes = 0;
            for (Frame frame : frames) {
                bytes += frame.bytes().length;
            }
            if (overPendingLimit(queuedBytes + bytes)) {
                return;
            }
            queue.addAll(frames);
            queuedBytes += bytes;
            if (pendingPoll != null) {
                answerPoll();
            }
        }
    }

    private void clearQueue() {
        queue.clear();
        queuedBytes = 0;
    }

    /**
     * Whether the client would leave more untaken than {@value #PENDING_PAYLOADS} times the largest message; if
     * so, the session ends as a broken transport's does (the client reconnects). A client that reads no more, or
     * far slower than it is sent to, must not make the worker keep all of it: heartbeats do not tell, since a
     * client can answer pings without reading.
     */
    private boolean overPendingLimit(long pending) {
        if (pending <= pendingLimit()) {
            return false;
        }
        closeUntaken();
        return true;
    }

    private long pendingLimit() {
        return PENDING_PAYLOADS * server.settings().maxPayload();
    }

    private void closeUntaken() {
        log.debug("Session {} leaves over {} bytes untaken; closed", id, pendingLimit());
        closeNow("transport error");
    }

    public void send(Frame frame) {
        send(List.of(frame));
    }

    EventLoop loop() {
        return loop;
    }

    /**
     * One recipient of a {@link Fanout}, on the session's loop: a WebSocket gets {@code wire} (the frames already
     * framed; this takes it over), a long-polling client gets the frames queued.
     */
    void writeShared(ByteBuf wire, List<Frame> frames, boolean discardable, Runnable onDiscarded) {
        boolean writable = websocket ? webSocketChannel.isWritable() : pendingPoll != null && !upgrading;
        if (closed || (discardable && !writable)) {
            wire.release();
            if (!closed) {
                onDiscarded.run();
            }
        } else if (websocket) {
            writeFramed(wire);
        } else {
            wire.release();
            write(frames);
        }
    }

    /** The session's own frames, framed into one buffer. */
    private void writeWebSocket(Collection<Frame> frames) {
        writeFramed(WebSocketFrames.encode(webSocketChannel.alloc(), frames));
    }

    private void writeFramed(ByteBuf wire) {
        ChannelOutboundBuffer untaken = webSocketChannel.unsafe().outboundBuffer();
        if (untaken != null && untaken.totalPendingWriteBytes() + wire.readableBytes() > pendingLimit()) {
            // released before the close, whose listeners (the worker's Redis side) might throw
            wire.release();
            closeUntaken();
            return;
        }
        // no promise per write: a failed write closes the connection (EngineWebSocketHandler.exceptionCaught)
        webSocketOut.writeAndFlush(wire, webSocketChannel.voidPromise());
    }

    /**
     * Closes the session once what is queued has reached the client (a long-polling client gets it with
     * its next request), so that packets sent just before, such as namespace disconnects, are not lost.
     */
    public void closeAfterFlush(String reason) {
        execute(() -> {
            if (closed) {
                return;
            }
            if (websocket || queue.isEmpty()) {
                closeNow(reason);
            } else {
                closeWhenFlushed = reason;
            }
        });
    }

    /** A POST for this session started on {@code channel} (any thread); false while another one's body comes. */
    boolean postStarted(Channel channel) {
        return receivingPost.compareAndSet(null, channel) || receivingPost.get() == channel;
    }

    /** The POST on {@code channel} was received whole, or its connection ended (any thread). */
    void postEnded(Channel channel) {
        receivingPost.compareAndSet(channel, null);
    }

    /** Closes the session from any thread; the listener hears {@code reason}. */
    public void close(String reason) {
        execute(() -> closeNow(reason));
    }

    /**
     * Closes the session because the server goes away: a parked poll is answered with Engine.IO's close
     * packet (a WebSocket gets its close frame as always), so the client reconnects at once instead of
     * learning from a failed request. Completes once the listener has heard {@code reason}; exceptionally
     * when the session's event loop no longer runs tasks.
     */
    CompletableFuture<Void> closeForShutdown(String reason) {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        try {
            execute(() -> {
                try {
                    closeNow(reason);
                    closed.complete(null);
                } catch (RuntimeException | Error e) {
                    closed.completeExceptionally(e);
                    throw e;
                }
            });
        } catch (RejectedExecutionException e) {
            closed.completeExceptionally(e);
        }
        return closed;
    }

    // ---- reading

    /**
     * Stops reading the client's WebSocket until as many {@link #releaseReads} (on the session's loop): the layer
     * above cannot pass the client's packets on as fast as they come. What was read already is still delivered. A
     * long-polling client's POST is answered once the holds end, and its connection not read meanwhile: a client
     * sends its next POST only when the last one is answered (a second one at once ends the session, as Engine.IO
     * allows one at a time).
     */
    public void holdReads() {
        if (readHolds++ == 0) {
            readWebSocketUnlessHeld();
        }
    }

    /** Ends one {@link #holdReads}; reading goes on once none is left. */
    public void releaseReads() {
        if (readHolds > 0 && --readHolds == 0) {
            readWebSocketUnlessHeld();
            answerHeldPost();
        }
    }

    private void readWebSocketUnlessHeld() {
        if (webSocketChannel != null) {
            webSocketChannel.config().setAutoRead(readHolds == 0);
        }
    }

    /** Whether reading the client is held ({@link #holdReads}), for tests. */
    public boolean readsHeld() {
        return readHolds > 0;
    }

    // ---- opening

    void openWithPolling(Requester handshakeRequest) {
        queue.add(openFrame(true));
        pendingPoll = handshakeRequest;
        answerPoll();
        opened();
    }

    void openWithWebSocket(Channel channel) {
        useWebSocket(channel);
        write(List.of(openFrame(false)));
        opened();
    }

    private void useWebSocket(Channel channel) {
        websocket = true;
        webSocketChannel = channel;
        readWebSocketUnlessHeld();
        webSocketOut = Objects.requireNonNull(channel.pipeline().context(WebSocketFrameEncoder.class),
                "a WebSocket without Netty's frame encoder in its pipeline");
    }

    private void opened() {
        schedulePing();
        server.listener().onOpen(this);
    }

    private Frame openFrame(boolean upgradable) {
        EngineSettings settings = server.settings();
        return Frame.text("0{\"sid\":\"" + id + "\",\"upgrades\":" + (upgradable ? "[\"websocket\"]" : "[]")
                + ",\"pingInterval\":" + settings.pingInterval().toMillis() + ",\"pingTimeout\":"
                + settings.pingTimeout().toMillis() + ",\"maxPayload\":" + settings.maxPayload() + "}");
    }

    // ---- HTTP long-polling

    void onPollRequest(Requester request) {
        if (closed) {
            HttpReplies.error(request, server.settings(), EngineError.UNKNOWN_SID);
        } else if (websocket || upgradeRequestedOn != null) {
            // after an upgrade the polling transport is gone for good
            HttpReplies.error(request, server.settings(), EngineError.BAD_REQUEST);
        } else if (pendingPoll != null) {
            // two polls at once: the reference server treats it as a broken client and closes
            HttpReplies.error(request, server.settings(), EngineError.BAD_REQUEST);
            closeNow("transport error");
        } else if (!request.ctx().channel().isActive()) {
            // its connection closed before the poll got here: as below, the client gave the session up
            closeNow("transport error");
        } else {
            pendingPoll = request;
            if (!queue.isEmpty()) {
                answerPoll();
            } else if (upgrading) {
                // the client pauses polling to upgrade and waits for this poll to end
                queue.add(Frame.NOOP);
                answerPoll();
            }
        }
    }

    void onPollChannelClosed(Channel channel) {
        if (pendingPoll != null && pendingPoll.ctx().channel() == channel) {
            // as the reference server ("poll connection closed prematurely"): the client's transport failed, so
            // it reconnects with a new session, and this one must not keep its sockets until the ping timeout
            pendingPoll = null;
            closeNow("transport error");
        }
    }

    void onPollData(Requester request, byte[] body) {
        if (closed) {
            HttpReplies.error(request, server.settings(), EngineError.UNKNOWN_SID);
            return;
        }
        if (websocket) {
            HttpReplies.error(request, server.settings(), EngineError.BAD_REQUEST);
            return;
        }
        if (heldPost != null) {
            // a second data request while the first is unanswered: as one whose body overlaps another's
            HttpReplies.error(request, server.settings(), EngineError.BAD_REQUEST);
            closeNow("transport error");
            return;
        }
        int start = 0;
        for (int i = 0; i <= body.length && !closed; i++) {
            if (i == body.length || body[i] == RECORD_SEPARATOR) {
                onPolledPacket(Arrays.copyOfRange(body, start, i));
                start = i + 1;
            }
        }
        if (readHolds > 0 && !closed) {
            heldPost = request;
            request.ctx().channel().config().setAutoRead(false);
        } else {
            answerPost(request);
        }
    }

    private void answerHeldPost() {
        Requester held = heldPost;
        if (held != null) {
            heldPost = null;
            held.ctx().channel().config().setAutoRead(true);
            answerPost(held);
        }
    }

    private void answerPost(Requester request) {
        HttpReplies.text(request, server.settings(), OK);
    }

    private void onPolledPacket(byte[] packet) {
        if (packet.length > 0 && packet[0] == 'b') {
            byte[] binary;
            try {
                binary = Base64.getDecoder().decode(Arrays.copyOfRange(packet, 1, packet.length));
            } catch (IllegalArgumentException e) {
                closeNow("parse error");
                return;
            }
            deliver(Frame.binary(binary));
        } else {
            onPacket(packet, null);
        }
    }

    private void answerPoll() {
        Requester poll = pendingPoll;
        pendingPoll = null;
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        boolean first = true;
        for (Frame frame : queue) {
            if (!first) {
                payload.write(RECORD_SEPARATOR);
            }
            first = false;
            if (frame.binary()) {
                payload.write('b');
                payload.writeBytes(Base64.getEncoder().encode(frame.bytes()));
            } else {
                payload.writeBytes(frame.bytes());
            }
        }
        clearQueue();
        HttpReplies.text(poll, server.settings(), payload.toByteArray());
        if (closeWhenFlushed != null) {
            closeNow(closeWhenFlushed);
        }
    }

    // ---- WebSocket

    /** A WebSocket arrived for this polling session: it is a probe until the client sends the upgrade packet. */
    boolean acceptProbe(Channel channel) {
        if (closed || websocket || probeChannel != null) {
            return false;
        }
        probeChannel = channel;
        upgradeTimeout = schedule(() -> {
            if (probeChannel == channel) {
                channel.close();
            }
        }, server.settings().upgradeTimeout());
        return true;
    }

    /**
     * Where a poll must be processed so that it comes after what a WebSocket of this session has already
     * read: a client may send the upgrade packet and then poll on another connection, and that poll must
     * see the upgrade, as it would on a server that handles requests in their order of arrival. Outside
     * an upgrade this is the session's own loop.
     */
    void executePoll(Runnable task) {
        Channel candidate = upgradeCandidate;
        if (candidate != null && candidate.isActive() && !candidate.eventLoop().inEventLoop()) {
            // the WebSocket's loop reads its pending frames before it runs this task; they then reach the
            // session's loop ahead of the poll
            candidate.eventLoop().execute(() -> execute(task));
        } else {
            execute(task);
        }
    }

    void webSocketConnected(Channel channel) {
        Channel candidate = upgradeCandidate;
        // a second WebSocket while a probe is open is refused (acceptProbe): the probe's frames keep their order
        if (!websocket && (candidate == null || !candidate.isActive())) {
            upgradeCandidate = channel;
        }
    }

    /**
     * Called on the probe's own event loop when it reads the upgrade packet. The packet is processed on
     * the session's loop, but a poll arriving on a third connection meanwhile must already be refused,
     * as it would be by a server that handles requests in their order of arrival.
     */
    void onUpgradePacketReceived(Channel channel) {
        // the probe may not even be accepted yet: a client can send "5" without waiting for "3probe"
        if (!websocket) {
            upgradeRequestedOn = channel;
        }
    }

    void onWebSocketText(Channel channel, byte[] packet) {
        if (channel == probeChannel) {
            onProbePacket(channel, packet);
        } else if (channel == webSocketChannel) {
            onPacket(packet, channel);
        }
    }

    void onWebSocketBinary(Channel channel, byte[] message) {
        if (channel == webSocketChannel && !closed) {
            deliver(Frame.binary(message));
        }
    }

    void onWebSocketFailed(Channel channel) {
        if (channel == webSocketChannel) {
            closeNow("transport error");
        }
    }

    void onWebSocketClosed(Channel channel) {
        if (channel == upgradeRequestedOn) {
            upgradeRequestedOn = null;
        }
        if (channel == upgradeCandidate) {
            upgradeCandidate = null;
        }
        if (channel == probeChannel) {
            probeChannel = null;
            upgrading = false;
        } else if (channel == webSocketChannel) {
            closeNow("transport close");
        }
    }

    private void onProbePacket(Channel channel, byte[] packet) {
        if (isPacket(packet, "2probe")) {
            upgrading = true;
            // the probe is not the session's WebSocket yet, so not written the session's way
            channel.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(Frame.PROBE_PONG.bytes())));
            if (pendingPoll != null) {
                queue.add(Frame.NOOP);
                answerPoll();
            }
        } else if (isPacket(packet, "5") && upgrading) {
            completeUpgrade(channel);
        } else {
            // as the reference server: a probe says "2probe", then "5"; anything else ends it, rather than leave it
            // open (and the polls refused, after an early "5") until the upgrade timeout
            channel.close();
        }
    }

    private void completeUpgrade(Channel channel) {
        if (!channel.isActive() || channel.pipeline().context(WebSocketFrameEncoder.class) == null) {
            // the probe's connection ended just after its upgrade packet (on another event loop, which tore its
            // pipeline down first): the client takes itself for upgraded, so the session cannot go on over polling,
            // and must not be left without a way to write
            probeChannel = null;
            upgradeCandidate = null;
            upgrading = false;
            closeNow("transport close");
            return;
        }
        useWebSocket(channel);
        upgradeCandidate = null;
        upgrading = false;
        probeChannel = null;
        if (upgradeTimeout != null) {
            upgradeTimeout.cancel(false);
        }
        if (pendingPoll != null) {
            // the paused poll ends with a noop; what is queued goes over the WebSocket
            HttpReplies.text(pendingPoll, server.settings(), Frame.NOOP.bytes());
            pendingPoll = null;
        }
        if (!queue.isEmpty()) {
            writeWebSocket(queue);
            clearQueue();
        }
        if (closeWhenFlushed != null) {
            closeNow(closeWhenFlushed);
        }
    }

    // ---- packets, heartbeat, close

    /**
     * Hands a message to the layer above. A failure there is a bug, not the client's doing, but it must cost
     * this session only: thrown on, it would end the connection as a transport error, or on another loop
     * only be logged, with the rest of a POST body dropped.
     */
    private void deliver(Frame message) {
        try {
            server.listener().onMessage(this, message);
        } catch (RuntimeException e) {
            log.warn("Handling a message of session {} failed; closing the session", id, e);
            closeNow("parse error");
        }
    }

    private void onPacket(byte[] packet, Channel channel) {
        if (closed) {
            return;
        }
        if (packet.length == 0) {
            closeNow("parse error");
            return;
        }
        switch (packet[0]) {
            // the client's own close: its parked poll just ends, as the reference server answers it
            case '1' -> closeNow("transport close", Frame.NOOP);
            case '3' -> onPong();
            case '4' -> deliver(Frame.text(Arrays.copyOfRange(packet, 1, packet.length)));
            case '2', '6' -> {
                // client pings belong to Engine.IO v3; noops need nothing
            }
            default -> closeNow("parse error");
        }
    }

    /**
     * The ping and the deadline for its pong are scheduled together, so a ping that leaves late does not
     * push the deadline back.
     */
    private void schedulePing() {
        EngineSettings settings = server.settings();
        pingTask = schedule(() -> send(Frame.PING), settings.pingInterval());
        pongTimeout = schedule(() -> closeNow("ping timeout"), settings.pingInterval().plus(settings.pingTimeout()));
    }

    private void onPong() {
        // only a pong that answers a ping counts; the next ping follows from here
        if (pongTimeout != null && pingTask != null && pingTask.isDone()) {
            pongTimeout.cancel(false);
            schedulePing();
        }
    }

    /** Closed by the server: a parked poll gets Engine.IO's close packet, so the client knows at once. */
    private void closeNow(String reason) {
        closeNow(reason, Frame.CLOSE);
    }

    /** {@code toParkedPoll} ends a parked long-polling request: a noop, or the close packet that sends the client away. */
    private void closeNow(String reason, Frame toParkedPoll) {
        if (closed) {
            return;
        }
        closed = true;
        cancel(pingTask);
        cancel(pongTimeout);
        cancel(upgradeTimeout);
        server.remove(this);
        inUse();
        if (pendingPoll != null) {
            clearQueue();
            queue.add(toParkedPoll);
            answerPoll();
        }
        clearQueue();
        // its packets were taken: the client learns of the close from its poll
        answerHeldPost();
        if (webSocketChannel != null) {
            EngineWebSocketHandler.close(webSocketChannel);
        }
        if (probeChannel != null) {
            probeChannel.close();
        }
        server.listener().onClose(this, reason);
    }

    private static void cancel(ScheduledFuture<?> future) {
        if (future != null) {
            future.cancel(false);
        }
    }

    static boolean isPacket(byte[] packet, String expected) {
        return packet.length == expected.length()
                && new String(packet, StandardCharsets.US_ASCII).equals(expected);
    }

    @Override
    public String toString() {
        return "EngineSession[" + id + (websocket ? ", websocket" : ", polling") + (closed ? ", closed]" : "]");
    }
}
