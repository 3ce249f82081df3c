package io.github.siodistributor.core.engine;

import static io.github.siodistributor.core.engine.EngineConnections.body;
import static io.github.siodistributor.core.engine.EngineConnections.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A client that takes nothing any more (its heartbeat answered all the same) must not make the worker keep all
 * that is sent to it: past {@link EngineSession#PENDING_PAYLOADS} times the largest message left untaken, its
 * session ends as a broken transport's does, and the client reconnects. A client that takes what it is sent is
 * never affected, however much it gets in all.
 */
class UntakenDataTest {

    private static final int MAX_PAYLOAD = 1000;

    private final EngineConnections.Recorder listener = new EngineConnections.Recorder();
    private final EngineServer engine = new EngineServer(new EngineSettings(Duration.ofSeconds(25),
            Duration.ofSeconds(20), MAX_PAYLOAD, Duration.ofSeconds(10), Duration.ofSeconds(45), List.of("*")),
            listener);
    private final EmbeddedChannel channel = new EmbeddedChannel();

    private String open() {
        engine.initChannel(channel);
        String open = body(request(channel, "GET /socket.io/?EIO=4&transport=polling"));
        return open.substring("0{\"sid\":\"".length(), open.indexOf('"', "0{\"sid\":\"".length()));
    }

    private static Frame packet() {
        byte[] packet = new byte[MAX_PAYLOAD];
        Arrays.fill(packet, (byte) 'x');
        packet[0] = '4';
        return Frame.text(packet);
    }

    @Test
    void aPollingClientThatPollsNoMoreIsClosedOnceItLeavesTooMuchUntaken() {
        String sid = open();
        EngineSession session = engine.session(sid);
        for (int i = 0; i < EngineSession.PENDING_PAYLOADS; i++) {
            session.send(packet());
        }
        channel.runPendingTasks();
        assertThat(session.isOpen()).as("at the limit").isTrue();

        session.send(packet());
        channel.runPendingTasks();

        assertThat(session.isOpen()).isFalse();
        assertThat(engine.session(sid)).isNull();
        assertThat(listener.closeReasons()).containsExactly("transport error");
    }

    @Test
    void aPollingClientThatTakesWhatItIsSentIsNeverClosed() {
        String sid = open();
        EngineSession session = engine.session(sid);

        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < EngineSession.PENDING_PAYLOADS; i++) {
                session.send(packet());
            }
            channel.runPendingTasks();
            String answer = body(request(channel, "GET /socket.io/?EIO=4&transport=polling&sid=" + sid));
            assertThat(answer.split("\u001e")).hasSize((int) EngineSession.PENDING_PAYLOADS);
        }

        assertThat(session.isOpen()).isTrue();
        assertThat(listener.closes).isEmpty();
    }

    /**
     * Over a real connection: a WebSocket client that stopped reading (its TCP window shut) while the server keeps
     * sending. What the kernel's buffers cannot take piles up in the channel, up to the limit.
     */
    @Test
    void aWebSocketClientThatReadsNoMoreIsClosedOnceItLeavesTooMuchUntaken() throws Exception {
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel server = new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            engine.initChannel(channel);
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            try (Socket client = new Socket()) {
                client.setReceiveBufferSize(4096);
                client.connect(new InetSocketAddress("127.0.0.1", port));
                client.getOutputStream().write(("GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                        + "Host: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                awaitSession();
                EngineSession session = engine.sessions().iterator().next();

                // the client reads nothing from here on
                for (int i = 0; i < 100_000 && session.isOpen(); i++) {
                    session.send(packet());
                    if (i % 100 == 0) {
                        // the loop catches up: the sends wait as tasks on it, not as untaken data
                        session.loop().submit(() -> null).get(20, TimeUnit.SECONDS);
                    }
                }

                await().atMost(Duration.ofSeconds(20)).until(() -> !session.isOpen());
                assertThat(listener.closeReasons()).containsExactly("transport error");
            } finally {
                server.close().sync();
            }
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private void awaitSession() {
        await().atMost(Duration.ofSeconds(20)).until(() -> engine.sessionCount() == 1);
    }
}
