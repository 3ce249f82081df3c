package io.github.siodistributor.core.engine;

import static io.github.siodistributor.core.engine.EngineConnections.body;
import static io.github.siodistributor.core.engine.EngineConnections.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Requests the HTTP decoder cannot read whole are answered, as Node's HTTP server answers them, and their
 * connection closed: the decoder drops every later byte on it, so a request after it would never be answered.
 * Headers of up to 16 KB (a browser's cookies) are taken.
 */
class EngineHttpRequestTest {

    private final EngineConnections.Recorder listener = new EngineConnections.Recorder();
    private final EngineServer engine = new EngineServer(EngineSettings.defaults(), listener);

    private EmbeddedChannel connection() {
        EmbeddedChannel channel = new EmbeddedChannel();
        engine.initChannel(channel);
        return channel;
    }

    @Test
    void headersOfUpTo16KbAreTaken() {
        EmbeddedChannel channel = connection();

        String cookie = "a=" + "c".repeat(15_000);

        String answer = request(channel, "GET /socket.io/?EIO=4&transport=polling", "Cookie: " + cookie);

        assertThat(body(answer)).startsWith("0{\"sid\":\"");
        assertThat(channel.isOpen()).isTrue();
        // whole, for the backends' connect handlers
        assertThat(listener.opened).singleElement().satisfies(session -> assertThat(session.handshake().headers()
                .get("cookie")).containsExactly(cookie));
    }

    @Test
    void headersOverTheLimitAre431AndTheConnectionCloses() {
        EmbeddedChannel channel = connection();

        String answer = request(channel, "GET /socket.io/?EIO=4&transport=polling", "Cookie: a=" + "c".repeat(17_000));

        assertThat(answer).startsWith("HTTP/1.1 431 Request Header Fields Too Large").contains("connection: close");
        assertThat(answer).doesNotContain("\"sid\"");
        assertThat(channel.isOpen()).isFalse();
        assertThat(engine.sessionCount()).isZero();
    }

    @Test
    void aRequestLineOverTheLimitIs414AndTheConnectionCloses() {
        // a long token in the query, as Node takes it (its URL counts within 16 KB of headers)
        String tokenOf10k = request(connection(), "GET /socket.io/?EIO=4&transport=polling&token=" + "t".repeat(10_000));
        assertThat(tokenOf10k).startsWith("HTTP/1.1 200 ").contains("\"sid\"");

        EmbeddedChannel channel = connection();

        String answer = request(channel, "GET /socket.io/?EIO=4&transport=polling&x=" + "x".repeat(17_000));

        assertThat(answer).startsWith("HTTP/1.1 414 ");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void anUpgradeWithoutItsKeyIsABadRequestNotAConnectionDropped() {
        EmbeddedChannel channel = connection();

        String answer = request(channel, "GET /socket.io/?EIO=4&transport=websocket", "Upgrade: websocket",
                "Connection: Upgrade", "Sec-WebSocket-Version: 13");

        assertThat(answer).startsWith("HTTP/1.1 400 ").contains("\"code\":3");
        assertThat(listener.opened).isEmpty();
    }

    @Test
    void aWebSocketFrameWithAReservedBitSetClosesTheSession() {
        EmbeddedChannel channel = connection();
        String handshake = request(channel, "GET /socket.io/?EIO=4&transport=websocket", "Upgrade: websocket",
                "Connection: Upgrade", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
        assertThat(handshake).startsWith("HTTP/1.1 101 ");
        assertThat(listener.opened).hasSize(1);

        // a masked text frame "4" with RSV1 set: permessage-deflate's bit, which no one negotiated
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0xC1, (byte) 0x81, 0, 0, 0, 0, '4'}));
        channel.runPendingTasks();

        assertThat(channel.isOpen()).isFalse();
        assertThat(listener.closeReasons()).hasSize(1);
    }

    /**
     * A POST for no session (an unknown one, or none named) is answered from its head, and the connection closes,
     * its body unread: it is not held up to max-payload first, for as long as a client takes to send it.
     */
    @Test
    void aBodyForNoSessionIsRefusedFromItsHeadWithoutWaitingForIt() {
        for (String target : List.of("/socket.io/?EIO=4&transport=polling&sid=w1.nobody",
                "/socket.io/?EIO=4&transport=polling")) {
            EmbeddedChannel channel = connection();
            // the head and the first bytes of its body, in one read
            channel.writeInbound(Unpooled.copiedBuffer("POST " + target + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: 500000\r\n\r\n" + "1".repeat(1000),
                    StandardCharsets.US_ASCII));
            channel.runPendingTasks();
            String answer = EngineConnections.responses(channel);

            assertThat(answer).as(target).startsWith("HTTP/1.1 400 ").containsIgnoringCase("Connection: close");
            assertThat(channel.isOpen()).as(target).isFalse();
            channel.checkException();
        }
    }

    /**
     * A client that trickles its request a byte at a time (every 30 s: the idle timeout never comes) is closed once
     * its headers have taken a minute, or the whole request five minutes, as by Node's HTTP server.
     */
    @Test
    void aRequestTrickledInIsClosedAtItsDeadline() {
        EmbeddedChannel headers = connection();
        headers.writeInbound(Unpooled.copiedBuffer("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\n",
                StandardCharsets.US_ASCII));
        trickle(headers, RequestDeadline.NODE.headers().minusSeconds(1));
        assertThat(headers.isOpen()).as("its headers still within their minute").isTrue();
        trickle(headers, Duration.ofSeconds(2));
        assertThat(headers.isOpen()).as("its headers a minute late").isFalse();

        EmbeddedChannel polling = connection();
        String sid = sid(body(request(polling, "GET /socket.io/?EIO=4&transport=polling")));
        EmbeddedChannel body = connection();
        body.writeInbound(Unpooled.copiedBuffer("POST /socket.io/?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\n"
                + "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: 1000\r\n\r\n", StandardCharsets.US_ASCII));
        trickle(body, RequestDeadline.NODE.whole().minusSeconds(1));
        assertThat(body.isOpen()).as("its body still within five minutes").isTrue();
        trickle(body, Duration.ofSeconds(2));
        assertThat(body.isOpen()).as("its body five minutes late").isFalse();
    }

    /** The deadlines are a request's: a WebSocket that goes on talking past them stays open. */
    @Test
    void aWebSocketOutlivesTheRequestDeadlines() {
        EmbeddedChannel channel = upgraded();
        for (Duration talked = Duration.ZERO; talked.compareTo(RequestDeadline.NODE.whole().plusMinutes(1)) < 0;
                talked = talked.plusSeconds(10)) {
            channel.advanceTimeBy(10, TimeUnit.SECONDS);
            channel.runScheduledPendingTasks();
            // Engine.IO's pong, masked text frame "3", whether or not a ping came
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0x81, (byte) 0x81, 0, 0, 0, 0, '3'}));
            channel.runPendingTasks();
            written(channel).release();
        }
        assertThat(channel.isOpen()).isTrue();
    }

    /** Sends a byte every 30 s (of the embedded loop's clock) and then waits out what is left of {@code during}. */
    private static void trickle(EmbeddedChannel channel, Duration during) {
        Duration step = Duration.ofSeconds(30);
        for (Duration left = during; !left.isNegative() && !left.isZero() && channel.isOpen(); left = left.minus(step)) {
            Duration now = left.compareTo(step) < 0 ? left : step;
            channel.advanceTimeBy(now.toNanos(), TimeUnit.NANOSECONDS);
            channel.runScheduledPendingTasks();
            if (channel.isOpen() && now.equals(step)) {
                channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {'X'}));
                channel.runPendingTasks();
            }
        }
    }

    /** A message of fragments adding up past max-payload is closed with 1009, as one frame too large is. */
    @Test
    void aFragmentedMessageOverTheMaxPayloadIsClosedWithMessageTooBig() {
        EmbeddedChannel channel = upgraded();
        int fragment = 60_000;
        int fragments = EngineSettings.defaults().maxPayload() / fragment + 1;
        for (int i = 0; i < fragments && channel.isOpen(); i++) {
            // a masked text frame, then continuations, none final
            channel.writeInbound(maskedFrame(i == 0 ? 0x01 : 0x00, fragment));
            channel.runPendingTasks();
        }

        ByteBuf close = written(channel);
        assertThat(close.getUnsignedByte(0)).as("a close frame").isEqualTo((short) 0x88);
        assertThat(close.getUnsignedShort(2)).as("its status").isEqualTo(1009);
        assertThat(channel.isOpen()).isFalse();
        assertThat(listener.closeReasons()).containsExactly("transport error");
    }

    /**
     * A client that takes nothing in gets no pongs meanwhile (they would pile up past the untaken-data limit): its
     * latest ping is answered once it takes data again, and only that one.
     */
    @Test
    void aPingFromAClientThatTakesNothingInIsAnsweredOnceItDoes() {
        EmbeddedChannel channel = upgraded();
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);

        channel.writeInbound(maskedFrame(0x89, 4));
        channel.writeInbound(maskedFrame(0x89, 4));
        channel.runPendingTasks();
        assertThat(written(channel).isReadable()).isFalse();

        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        channel.runPendingTasks();
        ByteBuf pongs = written(channel);
        assertThat(pongs.getUnsignedByte(0)).as("a pong").isEqualTo((short) 0x8A);
        assertThat(pongs.readableBytes()).as("one pong of the 4-byte payload").isEqualTo(2 + 4);
    }

    /** A WebSocket session, its open packet read. */
    private EmbeddedChannel upgraded() {
        EmbeddedChannel channel = connection();
        assertThat(request(channel, "GET /socket.io/?EIO=4&transport=websocket", "Upgrade: websocket",
                "Connection: Upgrade", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="))
                .startsWith("HTTP/1.1 101 ");
        written(channel);
        return channel;
    }

    /** The bytes written to the client since the last call, in one buffer (the frames' headers and payloads). */
    private static ByteBuf written(EmbeddedChannel channel) {
        ByteBuf all = Unpooled.buffer();
        for (Object out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
            if (out instanceof ByteBuf bytes) {
                all.writeBytes(bytes);
            }
            ReferenceCountUtil.release(out);
        }
        return all;
    }

    /** A client's frame (masked with a zero key) of {@code length} bytes of 'a', up to 65,535. */
    private static ByteBuf maskedFrame(int firstByte, int length) {
        ByteBuf frame = Unpooled.buffer(8 + length);
        frame.writeByte(firstByte);
        if (length < 126) {
            frame.writeByte(0x80 | length);
        } else {
            frame.writeByte(0x80 | 126).writeShort(length);
        }
        frame.writeInt(0);
        for (int i = 0; i < length; i++) {
            frame.writeByte('a');
        }
        return frame;
    }

    @Test
    void aProbeThatSaysAnythingButItsProbeAndUpgradeIsClosedAndPollingGoesOn() {
        EmbeddedChannel polling = connection();
        String sid = sid(body(request(polling, "GET /socket.io/?EIO=4&transport=polling")));
        EmbeddedChannel probe = connection();
        assertThat(request(probe, "GET /socket.io/?EIO=4&transport=websocket&sid=" + sid, "Upgrade: websocket",
                "Connection: Upgrade", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="))
                .startsWith("HTTP/1.1 101 ");
        polling.runPendingTasks();

        // an upgrade packet before the probe's ping: masked text frame "5"
        probe.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0x81, (byte) 0x81, 0, 0, 0, 0, '5'}));
        probe.runPendingTasks();
        polling.runPendingTasks();
        probe.runPendingTasks();

        assertThat(probe.isOpen()).isFalse();
        assertThat(listener.closeReasons()).isEmpty();
        // the session goes on over polling: a poll is taken (and parked), not refused as after an upgrade
        assertThat(request(polling, "GET /socket.io/?EIO=4&transport=polling&sid=" + sid)).isEmpty();
        assertThat(polling.isOpen()).isTrue();
    }

    @Test
    void anyOriginMayReadButOnlyAListedOneMaySendCredentials() {
        String anyOrigin = request(connection(), "GET /socket.io/?EIO=4&transport=polling", "Origin: http://any.example");

        assertThat(anyOrigin.toLowerCase()).contains("access-control-allow-origin: *\r\n")
                .doesNotContain("access-control-allow-credentials");

        EngineServer listing = new EngineServer(new EngineSettings(Duration.ofSeconds(25), Duration.ofSeconds(20),
                1_000_000, Duration.ofSeconds(10), Duration.ofSeconds(45), List.of("http://app.example")),
                new EngineConnections.Recorder());
        EmbeddedChannel listed = new EmbeddedChannel();
        listing.initChannel(listed);
        String fromListed = request(listed, "GET /socket.io/?EIO=4&transport=polling", "Origin: http://app.example")
                .toLowerCase();
        EmbeddedChannel other = new EmbeddedChannel();
        listing.initChannel(other);
        String fromOther = request(other, "GET /socket.io/?EIO=4&transport=polling", "Origin: http://any.example")
                .toLowerCase();

        assertThat(fromListed).contains("access-control-allow-origin: http://app.example\r\n")
                .contains("access-control-allow-credentials: true");
        assertThat(fromOther).doesNotContain("access-control-allow");
    }

    @Test
    void aParkedPollOfASessionTheServerClosesGetsTheClosePacketAndOneTheClientClosesANoop() {
        EmbeddedChannel byServer = connection();
        String serverClosed = sid(body(request(byServer, "GET /socket.io/?EIO=4&transport=polling")));
        assertThat(request(byServer, "GET /socket.io/?EIO=4&transport=polling&sid=" + serverClosed)).isEmpty();
        EmbeddedChannel byClient = connection();
        String clientClosed = sid(body(request(byClient, "GET /socket.io/?EIO=4&transport=polling")));
        assertThat(request(byClient, "GET /socket.io/?EIO=4&transport=polling&sid=" + clientClosed)).isEmpty();

        engine.session(serverClosed).close("server namespace disconnect");
        byServer.runPendingTasks();
        // the client's own close, posted on another connection of it
        EmbeddedChannel post = connection();
        EngineConnections.post(post, "POST /socket.io/?EIO=4&transport=polling&sid=" + clientClosed, "1");
        byClient.runPendingTasks();

        // the official client takes "1" as the server's close at once; a noop after its own
        assertThat(body(EngineConnections.responses(byServer))).isEqualTo("1");
        assertThat(body(EngineConnections.responses(byClient))).isEqualTo("6");
    }

    @Test
    void aSecondPostWhileTheFirstsBodyStillComesIsABadRequestAndClosesTheSession() {
        EmbeddedChannel opened = connection();
        String sid = sid(body(request(opened, "GET /socket.io/?EIO=4&transport=polling")));
        String path = "POST /socket.io/?EIO=4&transport=polling&sid=" + sid;
        // one after the other, on one connection or two: each is answered
        assertThat(body(EngineConnections.post(connection(), path, "3"))).isEqualTo("ok");
        assertThat(body(EngineConnections.post(connection(), path, "3"))).isEqualTo("ok");

        // the first's headers and part of its body; then a second
        EmbeddedChannel first = connection();
        first.writeInbound(Unpooled.copiedBuffer(path + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\n3",
                StandardCharsets.US_ASCII));
        EmbeddedChannel second = connection();
        String overlapping = EngineConnections.post(second, path, "3");
        opened.runPendingTasks();

        assertThat(overlapping).startsWith("HTTP/1.1 400 ").contains("\"code\":3");
        assertThat(second.isOpen()).isFalse();
        assertThat(listener.closeReasons()).containsExactly("transport error");
        assertThat(engine.session(sid)).isNull();
    }

    @Test
    void aBinaryPostOfEngineIoThreeIsABadRequestAndClosesTheSession() {
        EmbeddedChannel opened = connection();
        String sid = sid(body(request(opened, "GET /socket.io/?EIO=4&transport=polling")));
        EmbeddedChannel posting = connection();
        // "4hi" as an Engine.IO 3 binary payload would be read as a message packet if it were taken for text
        posting.writeInbound(Unpooled.copiedBuffer("POST /socket.io/?EIO=4&transport=polling&sid=" + sid
                + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\nContent-Length: 3"
                + "\r\n\r\n4hi", StandardCharsets.US_ASCII));
        posting.runPendingTasks();
        opened.runPendingTasks();

        assertThat(EngineConnections.responses(posting)).startsWith("HTTP/1.1 400 ").contains("\"code\":3");
        assertThat(listener.closeReasons()).containsExactly("transport error");
        assertThat(listener.messages).isEmpty();
        assertThat(engine.session(sid)).isNull();
    }

    @Test
    void aPostCutOffMidBodyLetsTheNextOneThrough() {
        EmbeddedChannel opened = connection();
        String sid = sid(body(request(opened, "GET /socket.io/?EIO=4&transport=polling")));
        String path = "POST /socket.io/?EIO=4&transport=polling&sid=" + sid;
        EmbeddedChannel cut = connection();
        cut.writeInbound(Unpooled.copiedBuffer(path + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\n3",
                StandardCharsets.US_ASCII));

        cut.close();

        assertThat(body(EngineConnections.post(connection(), path, "3"))).isEqualTo("ok");
        assertThat(engine.session(sid)).isNotNull();
    }

    @Test
    void aPostWhoseExpectationIsRefusedEndsItsSessionRatherThanBlockTheNextPost() {
        EmbeddedChannel opened = connection();
        String sid = sid(body(request(opened, "GET /socket.io/?EIO=4&transport=polling")));
        EmbeddedChannel expecting = connection();

        String refused = request(expecting, "POST /socket.io/?EIO=4&transport=polling&sid=" + sid,
                "Expect: 100-continue", "Content-Length: " + (EngineSettings.defaults().maxPayload() + 1));
        opened.runPendingTasks();

        assertThat(refused).startsWith("HTTP/1.1 413 ");
        assertThat(listener.closeReasons()).containsExactly("transport error");
    }

    @Test
    void aConnectionFromWhichNothingComesForTwoHeartbeatsIsClosed() {
        // a client gone without a FIN, a keep-alive connection left over, one that never sent a request
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        engine.initChannel(channel);
        long idle = 2 * EngineSettings.defaults().pingInterval().plus(EngineSettings.defaults().pingTimeout())
                .toMillis();

        channel.advanceTimeBy(idle - 1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isTrue();
        // a request starts the wait over
        assertThat(body(request(channel, "GET /socket.io/?EIO=4&transport=polling"))).startsWith("0{");
        channel.advanceTimeBy(idle - 1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isTrue();

        channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isFalse();
    }

    private static String sid(String open) {
        return open.substring("0{\"sid\":\"".length(), open.indexOf('"', "0{\"sid\":\"".length()));
    }
}
