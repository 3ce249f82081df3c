package io.github.siodistributor.core.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.siodistributor.core.engine.EngineSettings;
import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.transport.DroppedMessages;
import io.github.siodistributor.core.transport.RedisMessageBus;
import io.github.siodistributor.core.transport.TestConnectionFactories;
import io.github.siodistributor.testsupport.FreePorts;
import io.github.siodistributor.testsupport.TestRedis;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A session counts among those not yet in use until it has joined a namespace, not merely asked for one (diff
 * review finding: a CONNECT to a namespace nobody serves gave the place back while the session stayed open for its
 * connect timeout, so one connection could again open sessions without bound).
 */
class UnjoinedSessionsLimitTest {

    private static final int LIMIT = 20;

    @Test
    void askingForANamespaceNobodyServesDoesNotFreeTheSessionsPlace() throws Exception {
        try (TestRedis redis = TestRedis.startNew()) {
            LettuceConnectionFactory factory = TestConnectionFactories.startedFor(redis);
            RedisMessageBus bus = new RedisMessageBus(factory, new DroppedMessages());
            EngineSettings defaults = EngineSettings.defaults();
            DistributorWorker worker = new DistributorWorker(new WorkerSettings("unjoined1", "127.0.0.1",
                    FreePorts.find(), List.of("/chat"), new ChannelNames("unjoined")), new EngineSettings(
                            defaults.pingInterval(), defaults.pingTimeout(), defaults.maxPayload(),
                            defaults.upgradeTimeout(), defaults.connectTimeout(), defaults.corsOrigins(), LIMIT),
                    bus, null, Duration.ofSeconds(5), null, BackendRouting.defaults());
            try {
                bus.start();
                worker.start();
                int opened = 0;
                try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), worker.port())) {
                    socket.setSoTimeout(10_000);
                    for (int i = 0; i < 3 * LIMIT; i++) {
                        String handshake = exchange(socket, "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\n"
                                + "Host: x\r\n\r\n");
                        if (handshake.startsWith("HTTP/1.1 403 ")) {
                            continue;
                        }
                        opened++;
                        String sid = handshake.substring(handshake.indexOf("\"sid\":\"") + 7);
                        sid = sid.substring(0, sid.indexOf('"'));
                        String body = "40/nobody-serves-this,";
                        assertThat(exchange(socket, "POST /socket.io/?EIO=4&transport=polling&sid=" + sid
                                + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: "
                                + body.length() + "\r\n\r\n" + body)).startsWith("HTTP/1.1 200 ");
                    }
                }
                assertThat(opened).isEqualTo(LIMIT);
                assertThat(worker.engine().refusedSessions()).isEqualTo(2 * LIMIT);
            } finally {
                worker.close();
                bus.close();
                factory.destroy();
            }
        }
    }

    /** One request and its whole answer (headers and a Content-Length body) over a keep-alive connection. */
    private static String exchange(Socket socket, String request) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the worker closed the connection after " + head);
            }
            head.write(b);
        }
        String headers = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : headers.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        return headers + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
