package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.backend.IndirectServer;
import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.annotation.OnConnect;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import io.github.siodistributor.testsupport.NodeClients;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A socket whose connect handler still runs when it ends never hears of a namespace it did not join as a
 * disconnect (Socket.IO's client would take a {@code DISCONNECT} before {@code CONNECT} for "io server disconnect",
 * and give up on the namespace): its client's connection closed by the server tells it nothing itself, as in
 * Socket.IO's server, and with no backend instance left it gets the {@code connect_error} a new connect gets.
 */
class ConnectingSocketEndTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    /** Holds every connect until the test ends. */
    @SocketNamespace("/slow")
    public static class SlowConnectHandler {

        final CountDownLatch release = new CountDownLatch(1);
        final Set<String> connecting = ConcurrentHashMap.newKeySet();

        @OnConnect
        public void connected(IndirectSocket socket) throws InterruptedException {
            connecting.add(socket.id());
            release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private SlowConnectHandler handler;

    @AfterEach
    void release() {
        if (handler != null) {
            handler.release.countDown();
        }
    }

    @Test
    void aConnectionClosedByTheServerSendsNoDisconnectToItsSocketStillConnecting() throws Exception {
        try (ChatCluster cluster = new ChatCluster(); NodeClients clients = new NodeClients()) {
            ConfigurableApplicationContext backend = cluster.backend(SlowConnectHandler.class);
            handler = backend.getBean(SlowConnectHandler.class);
            String url = ChatCluster.url(cluster.worker("w1", SlowConnectHandler.class));
            clients.connect("chat", url, "/chat", Map.of("name", "carl"), null);
            String chatId = clients.awaitConnect("chat").get("socketId").asText();
            clients.connectOnSameConnection("slow", "chat", "/slow", null);
            await().atMost(WAIT).until(() -> !handler.connecting.isEmpty());

            backend.getBean(IndirectServer.class).of("/chat").socket(chatId).disconnect(true);

            assertThat(clients.awaitDisconnect("chat").get("reason").asText()).isEqualTo("io server disconnect");
            // the connection's end, not the server's word: the client will connect the namespace again
            assertThat(clients.awaitDisconnect("slow").get("reason").asText()).isEqualTo("transport close");
        }
    }

    @Test
    void aSocketStillConnectingWhenNoInstanceIsLeftGetsTheConnectErrorOfANewConnect() throws Exception {
        try (ChatCluster cluster = new ChatCluster(); NodeClients clients = new NodeClients()) {
            ConfigurableApplicationContext backend = cluster.backend(SlowConnectHandler.class);
            handler = backend.getBean(SlowConnectHandler.class);
            String url = ChatCluster.url(cluster.worker("w1", List.of("distributor.worker.when-no-backend=disconnect",
                    "distributor.worker.handover-timeout=1s"), SlowConnectHandler.class));
            clients.connect("slow", url, "/slow", Map.of(), Map.of("reconnection", false));
            await().atMost(WAIT).until(() -> !handler.connecting.isEmpty());

            // the only instance stops while its connect handler runs: the socket cannot be handed over, and the
            // worker moves it after its hand-over timeout, to no instance
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(backend::close);

            assertThat(clients.awaitConnectError("slow").toString()).contains("no backend instance serves the namespace");
            assertThat(clients.lines()).noneMatch(line -> "disconnect".equals(line.path("type").asText()));
            handler.release.countDown();
            stopping.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }
}
