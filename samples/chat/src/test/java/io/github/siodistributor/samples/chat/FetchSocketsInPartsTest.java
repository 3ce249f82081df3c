package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.backend.IndirectNamespace;
import io.github.siodistributor.backend.IndirectServer;
import io.github.siodistributor.backend.RemoteSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * A worker's answer to {@code fetchSockets()} that is larger than Redis lets one subscriber have waiting
 * ({@code client-output-buffer-limit pubsub}, lowered here to 6 MB from its default 32 MB so that the test
 * stays small) arrives whole: the worker sends it in parts, each far under the limit. In one message, Redis
 * would disconnect the asking backend's subscription, and the fetch would time out.
 */
class FetchSocketsInPartsTest extends ChatClusterTestSupport {

    private static final String NS = "/cluster";
    private static final int SOCKETS = 12;
    /** Per socket: twelve of them make 8.4 MB, well over the output buffer limit. */
    private static final int DATA_CHARS = 700_000;
    private static final long OUTPUT_LIMIT = 6L * 1024 * 1024;
    private static final Duration WAIT = Duration.ofSeconds(WAIT_SECONDS);

    private static ConfigurableApplicationContext backend;
    private static String url;

    public record Blob(String text) {
    }

    @BeforeAll
    static void startCluster() {
        cluster = new ChatCluster("partstest");
        backend = cluster.backend(ClusterApiHandler.class);
        url = ChatCluster.url(cluster.worker("w1", ClusterApiHandler.class));
    }

    @Test
    void socketsWhoseDescriptionIsOverRedisOutputLimitAllArrive() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < SOCKETS; i++) {
            clients.connect("c" + i, url, NS, null, null);
            ids.add(clients.awaitConnect("c" + i).get("socketId").asText());
        }
        for (int i = 0; i < SOCKETS; i++) {
            String id = ids.get(i);
            ns().socket(id).setData(new Blob(i + "x".repeat(DATA_CHARS)));
            // each socket alone (0.7 MB) fetches in one message under any limit here
            await("the data of " + id + " on its worker").atMost(WAIT).until(() -> {
                List<RemoteSocket> found = ns().in(id).fetchSockets().get(WAIT_SECONDS, TimeUnit.SECONDS);
                return found.size() == 1 && found.get(0).data() != null;
            });
        }
        setPubSubOutputLimit(OUTPUT_LIMIT);

        List<RemoteSocket> all = ns().fetchSockets().get(WAIT_SECONDS, TimeUnit.SECONDS);

        assertThat(all).extracting(RemoteSocket::id).containsExactlyInAnyOrderElementsOf(ids);
        for (RemoteSocket socket : all) {
            String text = socket.data(Blob.class).text();
            assertThat(text).hasSize(DATA_CHARS + String.valueOf(ids.indexOf(socket.id())).length())
                    .startsWith(String.valueOf(ids.indexOf(socket.id())));
        }
        // the backend's subscription was not cut: what it publishes to itself still comes back at once
        assertThat(ns().in(ids.get(0)).fetchSockets().get(WAIT_SECONDS, TimeUnit.SECONDS)).hasSize(1);
    }

    private static IndirectNamespace ns() {
        return backend.getBean(IndirectServer.class).of(NS);
    }

    private static void setPubSubOutputLimit(long bytes) {
        try (RedisConnection redis = backend.getBean(RedisConnectionFactory.class).getConnection()) {
            redis.serverCommands().setConfig("client-output-buffer-limit", "pubsub " + bytes + " 0 0");
            assertThat(redis.serverCommands().getConfig("client-output-buffer-limit").getProperty(
                    "client-output-buffer-limit")).contains("pubsub " + bytes + " 0 0");
        }
    }
}
