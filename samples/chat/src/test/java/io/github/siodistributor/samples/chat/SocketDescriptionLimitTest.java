package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.backend.IndirectNamespace;
import io.github.siodistributor.backend.IndirectServer;
import io.github.siodistributor.backend.RemoteSocket;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import io.github.siodistributor.core.transport.DroppedMessages;
import io.github.siodistributor.core.transport.DroppedMessages.Cause;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A socket's description (its handshake, rooms and data) is what moves with it to another backend instance and
 * what a fetch returns, one message each: a worker refuses the join or the data that would make it larger than
 * {@code distributor.redis.max-message-size} (400KB here), and counts it. Before, the socket took the join, and
 * from then on a fetch that selected it never got its answer, and a move to another instance was lost.
 */
class SocketDescriptionLimitTest extends ChatClusterTestSupport {

    private static final String NS = "/described";
    private static final List<String> SIZES = List.of("distributor.redis.max-message-size=400KB");
    /** Each room name is 39 characters; 2,000 of them are about 86 KB of a description. */
    private static final int ROOMS_PER_JOIN = 2000;

    private static ConfigurableApplicationContext backend;
    private static ConfigurableApplicationContext worker;
    private static String url;

    @SocketNamespace(NS)
    public static class QuietHandler {
    }

    @BeforeAll
    static void startCluster() {
        cluster = new ChatCluster("describedtest");
        backend = cluster.backend(SIZES, QuietHandler.class);
        worker = cluster.worker("w1", List.of(SIZES.get(0), "distributor.worker.max-payload=100KB"), QuietHandler.class);
        url = ChatCluster.url(worker);
    }

    @Test
    void aJoinOrDataThatWouldOutgrowOneMessageIsRefusedAndTheSocketStaysFetchable() throws Exception {
        clients.connect("c", url, NS);
        String id = clients.awaitConnect("c").get("socketId").asText();
        DroppedMessages dropped = worker.getBean(DroppedMessages.class);
        for (int join = 0; join < 4; join++) {
            ns().socket(id).join(rooms(join));
        }
        await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> fetch(id).rooms().size() == 4 * ROOMS_PER_JOIN + 1);

        ns().socket(id).join(rooms(4));
        await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> dropped.count(Cause.LIMIT_EXCEEDED) == 1);
        // the same through a selection's join, which each worker applies to its sockets
        ns().in(id).socketsJoin(rooms(5));
        await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> dropped.count(Cause.LIMIT_EXCEEDED) == 2);
        RemoteSocket fetched = fetch(id);
        assertThat(fetched.rooms()).hasSize(4 * ROOMS_PER_JOIN + 1).doesNotContainAnyElementsOf(List.of(rooms(4)))
                .doesNotContainAnyElementsOf(List.of(rooms(5)));

        // 70 KB of data is under half a message, which the backend allows, but the rooms leave no room for it
        ns().socket(id).setData("d".repeat(70_000));
        await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> dropped.count(Cause.LIMIT_EXCEEDED) == 3);
        assertThat(fetch(id).data(String.class)).isNull();

        // what fits still goes: leaving rooms makes room again
        ns().socket(id).leave(rooms(0));
        ns().socket(id).setData("fits");
        await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> "fits".equals(fetch(id).data(String.class)));
        assertThat(dropped.count(Cause.LIMIT_EXCEEDED)).isEqualTo(3);
    }

    private static String[] rooms(int join) {
        return IntStream.range(0, ROOMS_PER_JOIN).mapToObj(i -> String.format("room-%d-%05d-", join, i) + "x".repeat(26))
                .toArray(String[]::new);
    }

    private static RemoteSocket fetch(String id) throws Exception {
        List<RemoteSocket> found = ns().in(id).fetchSockets().get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    private static IndirectNamespace ns() {
        return backend.getBean(IndirectServer.class).of(NS);
    }
}
