package io.github.siodistributor.core.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.siodistributor.core.metrics.StatsByNamespace;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Rooms keep nothing of a socket that ended, whichever thread comes first, and nothing of an empty namespace. */
class RoomsTest {

    private final Rooms rooms = new Rooms();
    private final StatsByNamespace stats = new StatsByNamespace();
    private int sockets;

    private WorkerSocket socket(String namespace) {
        // no session: rooms only look at the socket's id, namespace, rooms and state
        return new WorkerSocket("w1.s" + ++sockets, namespace, namespace, null, new byte[0], stats.of(namespace),
                new java.util.concurrent.atomic.AtomicLong());
    }

    @Test
    void aSocketThatEndedBeforeItsJoinsIsNotKept() {
        WorkerSocket socket = socket("/chat");
        socket.end();

        rooms.add(socket);
        rooms.join(socket, List.of("lobby"));

        assertThat(rooms.select("/chat", List.of(), List.of())).isEmpty();
        assertThat(rooms.select("/chat", List.of("lobby"), List.of())).isEmpty();
        assertThat(rooms.select("/chat", List.of(socket.id), List.of())).isEmpty();
        assertThat(rooms.isEmpty()).isTrue();
    }

    @Test
    void aSocketEndingOnAnotherThreadWhileItJoinsIsNeverLeftBehind() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 2_000; round++) {
                WorkerSocket socket = socket("/game-" + round);
                CyclicBarrier start = new CyclicBarrier(2);
                // as the Redis delivery thread accepts the socket and carries out its joins...
                Future<?> joining = threads.submit(() -> {
                    start.await();
                    rooms.add(socket);
                    rooms.join(socket, List.of("lobby", "table"));
                    return null;
                });
                // ...its event loop ends it, as DistributorWorker.disconnected does
                Future<?> ending = threads.submit(() -> {
                    start.await();
                    socket.end();
                    rooms.remove(socket);
                    return null;
                });
                joining.get(10, TimeUnit.SECONDS);
                ending.get(10, TimeUnit.SECONDS);
                assertThat(rooms.isEmpty()).as("round %d", round).isTrue();
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void theLastMemberTakesItsRoomsAndItsNamespacesTablesWithIt() {
        WorkerSocket ada = socket("/game-1");
        WorkerSocket bob = socket("/game-1");
        rooms.add(ada);
        rooms.add(bob);
        rooms.join(ada, List.of("table"));
        rooms.join(bob, List.of("table"));
        assertThat(rooms.namedRooms("/game-1")).containsExactly("table");

        rooms.leave(ada, List.of("table"));
        assertThat(rooms.select("/game-1", List.of("table"), List.of())).containsExactly(bob);
        rooms.remove(ada);
        rooms.remove(bob);

        assertThat(rooms.namedRooms("/game-1")).isEmpty();
        assertThat(rooms.size("/game-1")).isZero();
        assertThat(rooms.isEmpty()).as("a dynamic namespace leaves nothing behind").isTrue();
    }
}
