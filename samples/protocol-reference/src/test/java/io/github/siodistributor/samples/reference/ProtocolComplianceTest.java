package io.github.siodistributor.samples.reference;

import static io.github.siodistributor.samples.reference.EngineIoClient.json;
import static io.github.siodistributor.samples.reference.EngineIoClient.packets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.backend.IndirectNamespace;
import io.github.siodistributor.backend.IndirectServer;
import io.github.siodistributor.core.engine.EngineServer;
import io.github.siodistributor.core.engine.EngineSession;
import io.github.siodistributor.core.metrics.NamespaceStats;
import io.github.siodistributor.core.worker.DistributorWorker;
import io.github.siodistributor.core.worker.WorkerStats;
import io.github.siodistributor.samples.reference.EngineIoClient.Session;
import io.github.siodistributor.samples.reference.RawWebSocket.Text;
import io.github.siodistributor.testsupport.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The protocol reference sample (worker and backend in one JVM over a real Redis), driven with raw
 * HTTP requests and raw WebSockets, against the behaviour the official Socket.IO protocol test suite
 * expects of its reference server: Engine.IO v4 (handshakes, errors, heartbeat, close, upgrade,
 * payload limit, CORS) and Socket.IO v5 (namespaces, events, acks, binary attachments, invalid packets).
 */
class ProtocolComplianceTest {

    private static final Duration PING_INTERVAL = Duration.ofMillis(300);
    private static final Duration PING_TIMEOUT = Duration.ofMillis(200);
    /** How long a session lives after its handshake (or its last pong) if no pong comes. */
    private static final Duration HEARTBEAT = PING_INTERVAL.plus(PING_TIMEOUT);
    /** Generous for anything the server must do "soon": heartbeat deadlines, timeouts, closes. */
    private static final Duration SOON = Duration.ofSeconds(3);

    private static ReferenceServer server;
    private static ConfigurableApplicationContext app;
    private static String workerId;
    private static String httpBase;
    private static String wsBase;
    private static HttpClient http;
    private static EngineIoClient engine;

    @BeforeAll
    static void startReferenceServer() {
        server = ReferenceServer.start("--distributor.worker.port=" + FreePorts.find());
        app = server.app();
        DistributorWorker worker = app.getBean(DistributorWorker.class);
        workerId = worker.id();
        httpBase = "http://127.0.0.1:" + worker.port();
        wsBase = "ws://127.0.0.1:" + worker.port();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .build();
        engine = new EngineIoClient(http, httpBase);
        // the first WebSocket of the JVM loads a good deal of classes; no test should pay that inside a
        // heartbeat window
        try (RawWebSocket warmUp = RawWebSocket.open(http, ws(""), true)) {
            assertThat(warmUp.nextText()).startsWith("0{");
        }
    }

    @AfterAll
    static void stopReferenceServer() {
        if (server != null) {
            server.close();
        }
    }

    // ------------------------------------------------------------------------------------------ Engine.IO

    @Nested
    class EngineIoHandshake {

        @Test
        void overPollingTheOpenPacketOffersTheUpgradeAndTheSettings() {
            HttpResponse<String> response = engine.get("EIO=4&transport=polling");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).startsWith("0{");
            Map<String, Object> open = json(response.body().substring(1));
            assertThat(open).containsOnlyKeys("sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload");
            assertThat(open.get("sid")).isInstanceOf(String.class).asString().isNotBlank();
            assertThat(open).containsEntry("upgrades", List.of("websocket"))
                    .containsEntry("pingInterval", 300)
                    .containsEntry("pingTimeout", 200)
                    .containsEntry("maxPayload", 1_000_000);
        }

        @Test
        void overWebSocketTheOpenPacketOffersNoUpgrade() {
            try (RawWebSocket ws = RawWebSocket.open(http, ws(""), true)) {
                String first = ws.nextText();

                assertThat(first).startsWith("0{");
                Map<String, Object> open = json(first.substring(1));
                assertThat(open).containsOnlyKeys("sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload");
                assertThat(open.get("sid")).isInstanceOf(String.class).asString().isNotBlank();
                assertThat(open).containsEntry("upgrades", List.of())
                        .containsEntry("pingInterval", 300)
                        .containsEntry("pingTimeout", 200)
                        .containsEntry("maxPayload", 1_000_000);
            }
        }

        @ParameterizedTest
        @ValueSource(strings = { "transport=polling", "EIO=abc&transport=polling", "EIO=3&transport=polling" })
        void aMissingOrUnsupportedProtocolVersionIsRefusedWithCode5(String query) {
            assertEngineError(engine.get(query), 5);
        }

        @ParameterizedTest
        @ValueSource(strings = { "EIO=4", "EIO=4&transport=carrier-pigeon" })
        void aMissingOrUnknownTransportIsRefusedWithCode0(String query) {
            assertEngineError(engine.get(query), 0);
        }

        @ParameterizedTest
        @ValueSource(strings = { "POST", "PUT" })
        void aHandshakeByAnotherMethodThanGetIsRefusedWithCode2(String method) {
            assertEngineError(engine.request(method, "EIO=4&transport=polling", "40"), 2);
        }

        @Test
        void anUnknownSidIsRefusedWithCode1() {
            assertEngineError(engine.get("EIO=4&transport=polling&sid=no-such-session"), 1);
            assertEngineError(engine.request("POST", "EIO=4&transport=polling&sid=no-such-session", "40"), 1);
        }

        @ParameterizedTest
        @ValueSource(strings = { "transport=websocket", "EIO=abc&transport=websocket", "EIO=3&transport=websocket",
                "EIO=4", "EIO=4&transport=carrier-pigeon", "EIO=4&transport=websocket&sid=no-such-session" })
        void theSameInvalidQueriesGetNoWebSocket(String query) {
            URI uri = URI.create(wsBase + "/socket.io/?" + query);
            assertThat(RawWebSocket.refusedStatus(http, uri)).isEqualTo(400);
        }
    }

    @Nested
    class EngineIoHeartbeat {

        @Test
        void overPollingEachPingIsAnsweredWithAPong() {
            Session session = joinedMainOverPolling();
            for (int round = 1; round <= 3; round++) {
                HttpResponse<String> poll = session.poll();
                assertThat(poll.statusCode()).as("poll %d", round).isEqualTo(200);
                assertThat(poll.body()).as("poll %d", round).isEqualTo("2");

                HttpResponse<String> pong = session.post("3");
                assertThat(pong.statusCode()).as("pong %d", round).isEqualTo(200);
                assertThat(pong.body()).as("pong %d", round).isEqualTo("ok");
            }
        }

        @Test
        void overWebSocketEachPingIsAnsweredWithAPongAndTheSocketStaysOpen() {
            try (RawWebSocket ws = RawWebSocket.open(http, ws(""), false)) {
                assertThat(ws.nextText()).startsWith("0{");
                joinMainWithoutWaiting(ws);
                for (int round = 1; round <= 3; round++) {
                    assertThat(nextPing(ws)).as("ping %d", round).isEqualTo("2");
                    ws.sendText("3");
                }
                // a fourth ping proves the session outlived its three heartbeats
                assertThat(nextPing(ws)).isEqualTo("2");
                assertThat(ws.isClosed()).isFalse();
            }
        }

        @Test
        void aPollingSessionWithoutPongsTimesOut() {
            Session session = engine.handshake();
            // in a namespace, so that only the heartbeat can end the session
            assertThat(session.post("40").body()).isEqualTo("ok");
            long deadline = System.nanoTime() + SOON.toNanos();
            List<String> answers = new ArrayList<>();
            while (true) {
                HttpResponse<String> poll = session.poll();
                if (poll.statusCode() == 400) {
                    assertEngineError(poll, 1);
                    break;
                }
                // the connect answer, the auth event, the ping, and the noop that ends a poll parked at the close
                assertThat(poll.statusCode()).as("answers so far %s", answers).isEqualTo(200);
                answers.add(poll.body());
                if (System.nanoTime() > deadline) {
                    fail("the session without pongs was still open after " + SOON + ": " + answers);
                }
            }
            assertThat(answers).anySatisfy(answer -> assertThat(packets(answer)).contains("2"));
        }

        @Test
        void aWebSocketWithoutPongsIsClosed() {
            try (RawWebSocket ws = RawWebSocket.open(http, ws(""), false)) {
                assertThat(ws.nextText()).startsWith("0{");
                joinMainWithoutWaiting(ws);
                assertThat(nextPing(ws)).isEqualTo("2");
                ws.awaitClosed(SOON);
            }
        }
    }

    @Nested
    class EngineIoClose {

        @Test
        void overPollingACloseEndsTheParkedPollWithANoopAndTheSession() {
            withinOneHeartbeat(session -> {
                CompletableFuture<HttpResponse<String>> parked = session.pollAsync();
                awaitParked(session, parked);

                assertThat(session.post("1").body()).isEqualTo("ok");

                HttpResponse<String> noop = unlessPing(EngineIoClient.await(parked, "parked poll"));
                assertThat(noop.statusCode()).as("status, body %s", noop.body()).isEqualTo(200);
                assertThat(noop.body()).isEqualTo("6");
                assertEngineError(session.poll(), 1);
            });
        }

        @Test
        void aParkedPollWhoseConnectionClosesEndsTheSessionAsATransportError() throws IOException {
            EngineServer server = app.getBean(DistributorWorker.class).engine();
            NamespaceStats main = app.getBean(DistributorWorker.class).stats().namespaces().of("/");
            URI base = URI.create(httpBase);
            for (int attempt = 1; ; attempt++) {
                Session session = joinedMainOverPolling();
                long before = main.disconnects("transport error");
                boolean parkedWhenClosed;
                try (Socket raw = new Socket(base.getHost(), base.getPort())) {
                    raw.getOutputStream().write(("GET /socket.io/?EIO=4&transport=polling&sid=" + session.sid
                            + " HTTP/1.1\r\nHost: " + base.getHost() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    raw.getOutputStream().flush();
                    await().atMost(SOON).until(() -> raw.getInputStream().available() > 0 || parked(server, session));
                    // then the client gives the poll up, unless a ping answered it meanwhile
                    parkedWhenClosed = raw.getInputStream().available() == 0;
                }
                if (!parkedWhenClosed) {
                    assertThat(attempt).as("attempts whose poll a ping answered first").isLessThan(5);
                    continue;
                }
                // as the reference server ("poll connection closed prematurely"), not later for want of a pong
                await().atMost(SOON).until(() -> server.session(session.sid) == null);
                assertThat(main.disconnects("transport error")).isEqualTo(before + 1);
                assertEngineError(session.poll(), 1);
                return;
            }
        }

        @Test
        void overWebSocketACloseClosesTheSocket() {
            try (RawWebSocket ws = openEngineWebSocket()) {
                connectMain(ws);
                ws.sendText("1");
                ws.awaitClosed(SOON);
            }
        }
    }

    @Nested
    class EngineIoUpgrade {

        /**
         * Connects to the main namespace over polling (in a namespace, so that the connect timeout cannot close
         * anything), then upgrades: probe, its answer, upgrade. Returns the WebSocket the session lives on now.
         */
        private RawWebSocket connectedThenUpgraded(Session session) {
            assertThat(session.post("40").body()).isEqualTo("ok");
            RawWebSocket ws = RawWebSocket.open(http, ws("&sid=" + session.sid), true);
            try {
                ws.sendText("2probe");
                assertThat(ws.nextText()).isEqualTo("3probe");
                ws.sendText("5");
                return ws;
            } catch (AssertionError | RuntimeException e) {
                ws.close();
                throw e;
            }
        }

        @Test
        void afterTheUpgradeTheSessionLivesOnTheWebSocketOnly() {
            // the upgrade (and the pong to a ping queued meanwhile) must be done before the polling session's
            // heartbeat runs out
            withinOneHeartbeat(session -> {
                try (RawWebSocket ws = connectedThenUpgraded(session)) {
                    assertEngineError(session.poll(), 3);
                    session.upgradeConfirmed = true;
                    RawWebSocket.assertRefusedOrClosed(
                            RawWebSocket.connect(http, ws("&sid=" + session.sid), false),
                            "second WebSocket for an upgraded session");
                    // the upgraded WebSocket carries the heartbeat from now on: two pings, the second one after
                    // the pong to the first
                    assertThat(nextPing(ws)).isEqualTo("2");
                    assertThat(nextPing(ws)).isEqualTo("2");
                    assertThat(ws.isClosed()).isFalse();
                }
            });
        }

        @Test
        void aPollParkedBeforeTheProbeIsEndedWithANoop() {
            withinOneHeartbeat(session -> {
                try (RawWebSocket ws = RawWebSocket.open(http, ws("&sid=" + session.sid), true)) {
                    CompletableFuture<HttpResponse<String>> parked = session.pollAsync();
                    awaitParked(session, parked);

                    ws.sendText("2probe");
                    assertThat(ws.nextText()).isEqualTo("3probe");
                    HttpResponse<String> noop = unlessPing(EngineIoClient.await(parked, "parked poll"));
                    assertThat(noop.statusCode()).isEqualTo(200);
                    assertThat(noop.body()).isEqualTo("6");

                    ws.sendText("5");
                    assertEngineError(session.poll(), 3);
                }
            });
        }

        @Test
        void aPollDuringTheUpgradeIsAnsweredWithANoopAtOnce() {
            withinOneHeartbeat(session -> {
                try (RawWebSocket ws = RawWebSocket.open(http, ws("&sid=" + session.sid), true)) {
                    ws.sendText("2probe");
                    assertThat(ws.nextText()).isEqualTo("3probe");

                    // parked until the next ping, this poll would stall the client's upgrade
                    HttpResponse<String> noop = unlessPing(session.poll());
                    assertThat(noop.statusCode()).isEqualTo(200);
                    assertThat(noop.body()).isEqualTo("6");

                    ws.sendText("5");
                    assertEngineError(session.poll(), 3);
                    assertThat(ws.nextText()).isEqualTo("2");
                }
            });
        }

        @Test
        void packetsQueuedWhilePollingAreFlushedOverTheWebSocket() {
            withinOneHeartbeat(session -> {
                try (RawWebSocket ws = connectedThenUpgraded(session)) {
                    List<String> packets = webSocketPacketsUntilAHeartbeatAfterAuth(ws, new ArrayList<>());
                    session.upgradeConfirmed = true;
                    assertThat(packets).filteredOn(packet -> packet.startsWith("40{")).hasSize(1);
                    assertThat(packets).filteredOn(packet -> packet.equals("42[\"auth\",{}]")).hasSize(1);
                    assertEngineError(session.poll(), 3);
                }
            });
        }

        @Test
        void aPollDuringTheUpgradeAndTheWebSocketDeliverEachPacketOnce() {
            withinOneHeartbeat(session -> {
                assertThat(session.post("40").body()).isEqualTo("ok");
                try (RawWebSocket ws = RawWebSocket.open(http, ws("&sid=" + session.sid), true)) {
                    ws.sendText("2probe");
                    assertThat(ws.nextText()).isEqualTo("3probe");
                    HttpResponse<String> poll = session.poll();
                    assertThat(poll.statusCode()).isEqualTo(200);
                    List<String> overPolling = packets(poll.body());
                    if (overPolling.contains("2")) {
                        assertThat(session.post("3").body()).isEqualTo("ok");
                    }
                    ws.sendText("5");

                    List<String> all = webSocketPacketsUntilAHeartbeatAfterAuth(ws, new ArrayList<>(overPolling));
                    session.upgradeConfirmed = true;
                    assertThat(all).as("over polling %s, then over the WebSocket", overPolling)
                            .filteredOn(packet -> packet.startsWith("40{")).hasSize(1);
                    assertThat(all).as("over polling %s, then over the WebSocket", overPolling)
                            .filteredOn(packet -> packet.equals("42[\"auth\",{}]")).hasSize(1);
                }
            });
        }

        /**
         * Takes WebSocket messages (after {@code received}) until one ping has come after the "auth"
         * event: a duplicate sent with it would have arrived by then.
         */
        private List<String> webSocketPacketsUntilAHeartbeatAfterAuth(RawWebSocket ws, List<String> received) {
            long deadline = System.nanoTime() + SOON.toNanos();
            boolean auth = received.contains("42[\"auth\",{}]");
            while (System.nanoTime() < deadline) {
                String text = ws.nextText();
                received.add(text);
                if (text.equals("2") && auth) {
                    return received;
                }
                auth |= text.equals("42[\"auth\",{}]");
            }
            throw new AssertionError("no auth event and ping after it within " + SOON + ": " + received);
        }
    }

    @Nested
    class EngineIoLimitsAndCors {

        @Test
        void aPostOverMaxPayloadIsRefusedAndEndsTheSession() {
            // 500,001 noops: valid packets, 1,000,001 bytes in all; built before the handshake, as the POST
            // must reach the session within its heartbeat
            String body = "6" + (EngineIoClient.RECORD_SEPARATOR + "6").repeat(500_000);
            assertThat(body).hasSize(1_000_001);
            withinOneHeartbeat(session -> {
                try {
                    HttpResponse<String> response = session.post(body);
                    assertThat(response.statusCode()).as("answer to an oversized POST, body %s", response.body())
                            .isEqualTo(413);
                } catch (UncheckedIOException connectionClosed) {
                    // closing the connection is an answer too
                }
                HttpResponse<String> poll = session.poll();
                assertThat(poll.statusCode()).as("poll after an oversized POST, body %s", poll.body())
                        .isEqualTo(400);
            });
        }

        @Test
        void aWebSocketMessageOverMaxPayloadEndsTheSessionAsATransportError() {
            NamespaceStats main = app.getBean(DistributorWorker.class).stats().namespaces().of("/");
            long before = main.disconnects("transport error");
            try (RawWebSocket ws = openEngineWebSocket()) {
                connectMain(ws);
                ws.sendText("4" + "x".repeat(1_000_000));

                ws.awaitClosed(SOON);
            }
            await().atMost(SOON).until(() -> main.disconnects("transport error") == before + 1);
        }

        @Test
        void aCrossOriginRequestIsAllowedFromAnyOriginWithoutCredentials() {
            HttpResponse<String> handshake = engine.request("GET", "EIO=4&transport=polling", null,
                    "Origin", "http://example.com");

            assertThat(handshake.statusCode()).isEqualTo(200);
            // CORS "*": any origin may read the answer, but no site may run a session on its visitors' cookies
            assertThat(handshake.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
            assertThat(handshake.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
        }

        @Test
        void aPreflightIsAnsweredWith204() {
            HttpResponse<String> preflight = engine.request("OPTIONS", "EIO=4&transport=polling", null,
                    "Origin", "http://example.com", "Access-Control-Request-Method", "POST");

            assertThat(preflight.statusCode()).isEqualTo(204);
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods")).get().asString()
                    .contains("POST");
        }
    }

    // ------------------------------------------------------------------------------------------ Socket.IO

    @Nested
    class SocketIoConnect {

        @Test
        void connectingToTheMainNamespaceGivesASocketIdAndTheEmptyAuth() {
            try (RawWebSocket ws = openEngineWebSocket()) {
                ws.sendText("40");

                String connected = ws.nextTextSkippingPings();
                assertThat(connected).startsWith("40{");
                Map<String, Object> data = json(connected.substring(2));
                assertThat(data).containsOnlyKeys("sid");
                assertThat((String) data.get("sid")).startsWith(workerId + ".").hasSizeGreaterThan(workerId.length() + 1);
                assertThat(ws.nextTextSkippingPings()).isEqualTo("42[\"auth\",{}]");
            }
        }

        @Test
        void theAuthPayloadReachesTheMainNamespace() {
            try (RawWebSocket ws = openEngineWebSocket()) {
                ws.sendText("40{\"token\":\"123\"}");

                assertThat(ws.nextTextSkippingPings()).startsWith("40{\"sid\":");
                assertThat(ws.nextTextSkippingPings()).isEqualTo("42[\"auth\",{\"token\":\"123\"}]");
            }
        }

        @Test
        void connectingToACustomNamespaceAnswersInThatNamespace() {
            try (RawWebSocket ws = openEngineWebSocket()) {
                ws.sendText("40/custom,");

                String connected = ws.nextTextSkippingPings();
                assertThat(connected).startsWith("40/custom,{");
                Map<String, Object> data = json(connected.substring("40/custom,".length()));
                assertThat(data).containsOnlyKeys("sid");
                assertThat((String) data.get("sid")).startsWith(workerId + ".");
                assertThat(ws.nextTextSkippingPings()).isEqualTo("42/custom,[\"auth\",{}]");
            }
        }

        @Test
        void theAuthPayloadReachesACustomNamespace() {
            try (RawWebSocket ws = openEngineWebSocket()) {
                ws.sendText("40/custom,{\"token\":\"abc\"}");

                assertThat(ws.nextTextSkippingPings()).startsWith("40/custom,{\"sid\":");
                assertThat(ws.nextTextSkippingPings()).isEqualTo("42/custom,[\"auth\",{\"token\":\"abc\"}]");
            }
        }

        @Test
        void twoNamespacesOnOneConnectionGetDifferentSocketIds() {
            try (RawWebSocket ws = openEngineWebSocket()) {
                String main = connectMain(ws);
                String custom = connectCustom(ws);

                assertThat(main).isNotEqualTo(custom);
                assertThat(List.of(main, custom)).allSatisfy(sid -> assertThat(sid).startsWith(workerId + "."));
            }
        }

        @Test
        void anUnknownNamespaceIsRefused() {
            try (RawWebSocket ws = openEngineWebSocket()) {
                ws.sendText("40/random");

                assertThat(ws.nextTextSkippingPings()).isEqualTo("44/random,{\"message\":\"Invalid namespace\"}");
            }
        }

        @Test
        void aConnectionThatJoinsNoNamespaceIsClosedAfterTheConnectTimeout() {
            long start = System.nanoTime();
            try (RawWebSocket ws = openEngineWebSocket()) {
                ws.awaitClosed(SOON);

                assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
            }
        }

        @Test
        void theSocketIdIsTheOneTheBackendAddresses() {
            try (RawWebSocket ws = RawWebSocket.open(http, ws(""), true)) {
                String engineSid = (String) json(ws.nextText().substring(1)).get("sid");
                String sid = connectMain(ws);
                assertThat(sid).isNotEqualTo(engineSid);

                IndirectNamespace main = app.getBean(IndirectServer.class).of("/");
                await().atMost(SOON).until(() -> main.sockets().stream().anyMatch(socket -> socket.id().equals(sid)));
                main.socket(sid).emit("direct", "hello");

                assertThat(ws.nextTextSkippingPings()).isEqualTo("42[\"direct\",\"hello\"]");
            }
        }
    }

    @Nested
    class SocketIoDisconnect {

        @Test
        void leavingTheMainNamespaceKeepsTheConnection() {
            try (RawWebSocket ws = openEngineWebSocket()) {
                connectMain(ws);
                ws.sendText("41");

                assertThat(ws.nextText()).isEqualTo("2");
                assertThat(ws.isClosed()).isFalse();
            }
        }

        @Test
        void leavingACustomNamespaceKeepsTheMainOne() {
            try (RawWebSocket ws = openEngineWebSocket()) {
                connectMain(ws);
                ws.sendText("40/custom");
                assertThat(ws.nextTextSkippingPings()).startsWith("40/custom,{\"sid\":");
                assertThat(ws.nextTextSkippingPings()).isEqualTo("42/custom,[\"auth\",{}]");
                ws.sendText("41/custom");
                ws.sendText("42[\"message\",\"x\"]");

                assertThat(ws.nextTextSkippingPings()).isEqualTo("42[\"message-back\",\"x\"]");
            }
        }
    }

    @Nested
    class SocketIoEvents {

        @Test
        void anEventIsEchoedWithItsArgumentsUnchanged() {
            try (RawWebSocket ws = openEngineWebSocket()) {
                connectMain(ws);
                ws.sendText("42[\"message\",1,\"2\",{\"3\":[true]}]");

                assertThat(ws.nextTextSkippingPings()).isEqualTo("42[\"message-back\",1,\"2\",{\"3\":[true]}]");
            }
        }

        @Test
        void anEventWithAnAckIsAcknowledgedWithItsArguments() {
            try (RawWebSocket ws = openEngineWebSocket()) {
                connectMain(ws);
                ws.sendText("42456[\"message-with-ack\",1,\"2\",{\"3\":[false]}]");

                assertThat(ws.nextTextSkippingPings()).isEqualTo("43456[1,\"2\",{\"3\":[false]}]");
            }
        }

        @Test
        void anEventInACustomNamespaceIsEchoedThere() {
            try (RawWebSocket ws = openEngineWebSocket()) {
                connectCustom(ws);
                ws.sendText("42/custom,[\"message\",\"y\"]");

                assertThat(ws.nextTextSkippingPings()).isEqualTo("42/custom,[\"message-back\",\"y\"]");
            }
        }

        @Test
        void binaryAttachmentsAreEchoedOverWebSocket() {
            try (RawWebSocket ws = openEngineWebSocket()) {
                connectMain(ws);
                ws.sendText("452-[\"message\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
                ws.sendBinary((byte) 1, (byte) 2, (byte) 3);
                ws.sendBinary((byte) 4, (byte) 5, (byte) 6);

                assertThat(ws.nextTextSkippingPings()).isEqualTo(
                        "452-[\"message-back\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
                assertThat(ws.nextBinarySkippingPings()).containsExactly(1, 2, 3);
                assertThat(ws.nextBinarySkippingPings()).containsExactly(4, 5, 6);
            }
        }

        @Test
        void binaryAttachmentsComeBackInTheAck() {
            try (RawWebSocket ws = openEngineWebSocket()) {
                connectMain(ws);
                ws.sendText("452-789[\"message-with-ack\",{\"_placeholder\":true,\"num\":0},"
                        + "{\"_placeholder\":true,\"num\":1}]");
                ws.sendBinary((byte) 1, (byte) 2, (byte) 3);
                ws.sendBinary((byte) 4, (byte) 5, (byte) 6);

                assertThat(ws.nextTextSkippingPings()).isEqualTo(
                        "462-789[{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
                assertThat(ws.nextBinarySkippingPings()).containsExactly(1, 2, 3);
                assertThat(ws.nextBinarySkippingPings()).containsExactly(4, 5, 6);
            }
        }

        @Test
        void binaryAttachmentsAreEchoedOverPolling() {
            Session session = joinedMainOverPolling();

            // "bAQID" is the base64 form of the bytes 1, 2, 3
            assertThat(session.post("451-[\"message\",{\"_placeholder\":true,\"num\":0}]", "bAQID").body())
                    .isEqualTo("ok");

            String echo = "451-[\"message-back\",{\"_placeholder\":true,\"num\":0}]";
            List<String> packets = session.pollUntil(received -> received.indexOf(echo) >= 0
                    && received.size() > received.indexOf(echo) + 1, "echo with its attachment");
            assertThat(packets.get(packets.indexOf(echo) + 1)).isEqualTo("bAQID");
        }
    }

    @Nested
    class SocketIoInvalidPackets {

        @ParameterizedTest
        @ValueSource(strings = { "4abc", "42{}", "42abc[\"message-with-ack\",1]", "42[\"connect\"]" })
        void anInvalidPacketClosesTheConnection(String packet) {
            try (RawWebSocket ws = openEngineWebSocket()) {
                connectMain(ws);
                ws.sendText(packet);

                ws.awaitClosed(SOON);
            }
        }

        @Test
        void attachmentsThatTogetherPassMaxPayloadCloseTheConnection() {
            try (RawWebSocket ws = openEngineWebSocket()) {
                connectMain(ws);
                // each message under the 1,000,000 bytes of maxPayload, the packet over it
                ws.sendText("452-[\"message\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
                ws.sendBinary(new byte[600_000]);
                ws.sendBinary(new byte[600_000]);

                ws.awaitClosed(SOON);
                assertThat(ws.received()).noneMatch(event -> event instanceof Text text
                        && text.text().contains("message-back"));
            }
        }

        @Test
        void textWhereABinaryAttachmentIsExpectedClosesTheConnection() {
            try (RawWebSocket ws = openEngineWebSocket()) {
                connectMain(ws);
                ws.sendText("451-[\"message\",{\"_placeholder\":true,\"num\":0}]");
                ws.sendText("42[\"message\",\"not an attachment\"]");

                ws.awaitClosed(SOON);
                assertThat(ws.received()).noneMatch(event -> event instanceof Text text
                        && text.text().contains("message-back"));
            }
        }
    }

    // ------------------------------------------------------------------------------------------ volatile

    /**
     * Broadcasts flagged volatile ({@code asVolatile()} on the backend's indirect namespace): sent to a client
     * that can take them at once (a WebSocket, a polling session with a GET held), discarded and counted for
     * the others. Each test addresses its own socket only (the room of its id), so that the count is exact
     * whatever sessions other tests left behind.
     */
    @Nested
    class VolatileBroadcasts {

        private final IndirectNamespace main = app.getBean(IndirectServer.class).of("/");
        private final WorkerStats stats = app.getBean(DistributorWorker.class).stats();

        @Test
        void aPollingSessionWithNoPollPendingMissesAVolatileBroadcastButGetsTheNextNormalOne() {
            // two trips through the backend with no poll held: the session is not polled, so not ponged,
            // meanwhile
            withinOneHeartbeat(session -> {
                assertThat(session.post("40").body()).isEqualTo("ok");
                String sid = socketIdIn(session.pollUntil(packets -> packets.contains("42[\"auth\",{}]"),
                        "auth event"));
                long discardedBefore = stats.volatilePacketsDiscarded();
                EngineSession engineSession = app.getBean(DistributorWorker.class).engine().session(session.sid);
                assertThat(engineSession).as("the session on the server").isNotNull();
                assertThat(engineSession.hasParkedPoll()).as("a GET held by the server").isFalse();

                main.to(sid).asVolatile().emit("volatile", 1);
                // quick polling of the count: the heartbeat (300 ms + 200 ms) closes a session that is not polled
                await().atMost(SOON).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                        .until(() -> stats.volatilePacketsDiscarded() > discardedBefore);
                main.to(sid).emit("normal", 2);

                List<String> received = session.pollUntil(packets -> packets.contains("42[\"normal\",2]"),
                        "the normal broadcast");
                assertThat(received).noneMatch(packet -> packet.contains("volatile"));
                assertThat(stats.volatilePacketsDiscarded()).isEqualTo(discardedBefore + 1);
                assertThat(engineSession.isOpen()).isTrue();
            });
        }

        @Test
        void aPollingSessionWithAPollPendingReceivesAVolatileBroadcast() {
            withinOneHeartbeat(session -> {
                assertThat(session.post("40").body()).isEqualTo("ok");
                String sid = socketIdIn(session.pollUntil(packets -> packets.contains("42[\"auth\",{}]"),
                        "auth event"));
                long discardedBefore = stats.volatilePacketsDiscarded();
                CompletableFuture<HttpResponse<String>> parked = session.pollAsync();
                awaitParked(session, parked);

                main.to(sid).asVolatile().emit("volatile", 3);

                HttpResponse<String> poll = unlessPing(EngineIoClient.await(parked, "parked poll"));
                assertThat(poll.statusCode()).isEqualTo(200);
                assertThat(packets(poll.body())).contains("42[\"volatile\",3]");
                assertThat(stats.volatilePacketsDiscarded()).isEqualTo(discardedBefore);
            });
        }

        @Test
        void aWebSocketSessionReceivesAVolatileBroadcast() {
            try (RawWebSocket ws = openEngineWebSocket()) {
                String sid = connectMain(ws);
                long discardedBefore = stats.volatilePacketsDiscarded();

                main.to(sid).asVolatile().emit("volatile", "over a WebSocket");
                main.to(sid).emit("normal", "after it");

                assertThat(ws.nextTextSkippingPings()).isEqualTo("42[\"volatile\",\"over a WebSocket\"]");
                assertThat(ws.nextTextSkippingPings()).isEqualTo("42[\"normal\",\"after it\"]");
                assertThat(stats.volatilePacketsDiscarded()).isEqualTo(discardedBefore);
            }
        }

        /** The socket id in the CONNECT answer among polled packets. */
        private String socketIdIn(List<String> packets) {
            String connected = packets.stream().filter(packet -> packet.startsWith("40{")).findFirst()
                    .orElseThrow(() -> new AssertionError("no CONNECT answer in " + packets));
            return (String) json(connected.substring(2)).get("sid");
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static URI ws(String extraQuery) {
        return URI.create(wsBase + "/socket.io/?EIO=4&transport=websocket" + extraQuery);
    }

    /** A WebSocket session that answers pings by itself, its open packet taken. */
    private static RawWebSocket openEngineWebSocket() {
        RawWebSocket ws = RawWebSocket.open(http, ws(""), true);
        assertThat(ws.nextText()).startsWith("0{");
        return ws;
    }

    /** Connects to "/" and takes the connect answer and the "auth" event; returns the socket id. */
    private static String connectMain(RawWebSocket ws) {
        ws.sendText("40");
        String connected = ws.nextTextSkippingPings();
        assertThat(connected).startsWith("40{");
        assertThat(ws.nextTextSkippingPings()).isEqualTo("42[\"auth\",{}]");
        return (String) json(connected.substring(2)).get("sid");
    }

    /** Connects to "/custom" and takes the connect answer and the "auth" event; returns the socket id. */
    private static String connectCustom(RawWebSocket ws) {
        ws.sendText("40/custom,");
        String connected = ws.nextTextSkippingPings();
        assertThat(connected).startsWith("40/custom,{");
        assertThat(ws.nextTextSkippingPings()).isEqualTo("42/custom,[\"auth\",{}]");
        return (String) json(connected.substring("40/custom,".length())).get("sid");
    }

    /** Sends the CONNECT to "/" and leaves its answers queued (for a test that takes messages one by one). */
    private static void joinMainWithoutWaiting(RawWebSocket ws) {
        // a session in no namespace is closed after the connect timeout (1 s), whatever its heartbeat
        ws.sendText("40");
    }

    /** The next ping; the answers to a CONNECT to "/" may come before it. */
    private static String nextPing(RawWebSocket ws) {
        while (true) {
            String text = ws.nextText();
            if (text.equals("2")) {
                return text;
            }
            assertThat(text).as("message other than a ping").matches("40\\{.*|42\\[\"auth\",\\{}]");
        }
    }

    /** A polling session connected to "/", its connect answer and "auth" event taken. */
    private static boolean parked(EngineServer server, Session session) {
        EngineSession engineSession = server.session(session.sid);
        return engineSession != null && engineSession.hasParkedPoll();
    }

    private static Session joinedMainOverPolling() {
        Session session = engine.handshake();
        assertThat(session.post("40").body()).isEqualTo("ok");
        session.pollUntil(packets -> packets.contains("42[\"auth\",{}]"), "auth event");
        return session;
    }

    private static void assertEngineError(HttpResponse<String> response, int code) {
        assertThat(response.statusCode()).as("status, body %s", response.body()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(json(response.body())).as("body %s", response.body()).containsEntry("code", code)
                .containsKey("message");
    }

    /**
     * Runs {@code scenario} on a new polling session (the handshake done here). The server pings every
     * {@link #PING_INTERVAL} and closes the session {@link #PING_TIMEOUT} later without a pong, so a scenario
     * around a parked poll, or one that does not pong, must play out within one heartbeat of the handshake.
     * An attempt that did not proves nothing, and the scenario starts again with a new session: when the
     * ping answered the poll first ({@link PingCameFirst}), or when it failed more than {@link #HEARTBEAT}
     * after its handshake was sent (the session may have been closed for want of a pong; a thread of a busy
     * machine can be held up that long). A failure within the heartbeat fails the test at once, and so does one
     * after the scenario saw its session live on a WebSocket ({@code upgradeConfirmed}), which the polling
     * heartbeat no longer bounds.
     */
    private static void withinOneHeartbeat(Consumer<Session> scenario) {
        int attempts = 5;
        List<Throwable> outOfWindow = new ArrayList<>();
        for (int attempt = 1; attempt <= attempts; attempt++) {
            long handshakeSent = System.nanoTime();
            Session session = engine.handshake();
            try {
                scenario.accept(session);
                return;
            } catch (AssertionError | RuntimeException e) {
                Duration elapsed = Duration.ofNanos(System.nanoTime() - handshakeSent);
                // within the window, or once the session lived on its WebSocket, the heartbeat is not to blame
                if (!(e instanceof PingCameFirst) && (elapsed.compareTo(HEARTBEAT) <= 0
                        || session.upgradeConfirmed)) {
                    outOfWindow.forEach(e::addSuppressed);
                    throw e;
                }
                outOfWindow.add(new AssertionError("attempt " + attempt + " (session " + session.sid + ") failed "
                        + elapsed.toMillis() + " ms after its handshake: " + e, e));
            }
        }
        AssertionError failure = new AssertionError("all " + attempts + " attempts ran out of the heartbeat window"
                + " (ping " + PING_INTERVAL.toMillis() + " ms after the handshake, closed " + PING_TIMEOUT.toMillis()
                + " ms later without a pong): each was answered by the ping before what the test did, or failed"
                + " more than " + HEARTBEAT.toMillis() + " ms after its handshake (the last attempt is the cause, the"
                + " others are suppressed)", outOfWindow.get(outOfWindow.size() - 1));
        outOfWindow.subList(0, outOfWindow.size() - 1).forEach(failure::addSuppressed);
        throw failure;
    }

    /** A parked poll answered by the heartbeat ping: the scenario must start again. */
    private static final class PingCameFirst extends RuntimeException {
        PingCameFirst(String message) {
            super(message);
        }
    }

    /** The answer to a poll, unless it is the heartbeat ping: then the scenario must start again. */
    private static HttpResponse<String> unlessPing(HttpResponse<String> poll) {
        if (poll.statusCode() == 200 && poll.body().equals("2")) {
            throw new PingCameFirst("the poll was answered by a ping");
        }
        return poll;
    }

    /**
     * Waits until the server holds the session's poll {@code parked}: a request sent next on another
     * connection (a close, a probe) must find it parked, and connections are not ordered with respect to each
     * other. Looks at once and often, as the scenario has one heartbeat in all. Stops as soon as the poll is
     * answered: by the ping ({@link PingCameFirst}, the scenario starts again), or by anything else (a
     * failure).
     */
    private static void awaitParked(Session session, CompletableFuture<HttpResponse<String>> parked) {
        EngineServer server = app.getBean(DistributorWorker.class).engine();
        await().atMost(SOON).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5)).until(() -> {
            if (parked.isDone()) {
                return true;
            }
            EngineSession engineSession = server.session(session.sid);
            return engineSession != null && engineSession.hasParkedPoll();
        });
        if (parked.isDone()) {
            HttpResponse<String> early = unlessPing(EngineIoClient.await(parked, "poll to be parked"));
            throw new AssertionError("the poll was answered before it could be parked: status "
                    + early.statusCode() + ", body " + early.body());
        }
    }
}
