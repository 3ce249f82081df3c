package io.github.siodistributor.core.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.siodistributor.core.worker.WorkerSocket.AwaitRefusal;
import io.github.siodistributor.core.worker.WorkerSocket.AwaitedAck;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The bound on a socket's waiting acks, both ways: it keeps a worker's memory in check, and answers that never
 * come (a client with no listener for the event, a handler that never acks) must not block the socket for good.
 */
class WorkerSocketTest {

    private static final int LIMIT = WorkerSocket.PENDING_ACK_LIMIT;
    private static final long ABANDONED = WorkerSocket.ABANDONED_AFTER_NANOS;

    private final WorkerSocket socket = new WorkerSocket("w1.s", "/chat", "/chat", null, new byte[0], null,
            new java.util.concurrent.atomic.AtomicLong());
    private final List<AwaitedAck> abandoned = new ArrayList<>();

    @Test
    void atTheLimitEmitsWithAckWaitingLongerThanTheBoundMakeRoomAndAreAnswered() {
        for (int i = 0; i < LIMIT / 2; i++) {
            assertThat(socket.await(i, new AwaitedAck("b", i, 0), abandoned::add)).isEqualTo(AwaitRefusal.NONE);
        }
        for (int i = LIMIT / 2; i < LIMIT; i++) {
            assertThat(socket.await(i, new AwaitedAck("b", i, ABANDONED), abandoned::add)).isEqualTo(AwaitRefusal.NONE);
        }

        // full, and none waited long enough yet: the new one is refused, as before
        assertThat(socket.await(LIMIT, new AwaitedAck("b", LIMIT, ABANDONED - 1), abandoned::add))
                .isEqualTo(AwaitRefusal.TOO_MANY);
        assertThat(abandoned).isEmpty();

        // later: the older half has waited the bound, and gives way
        assertThat(socket.await(LIMIT, new AwaitedAck("b", LIMIT, ABANDONED), abandoned::add))
                .isEqualTo(AwaitRefusal.NONE);
        assertThat(abandoned).extracting(AwaitedAck::requestId).containsExactlyInAnyOrderElementsOf(
                java.util.stream.LongStream.range(0, LIMIT / 2).boxed().toList());
        assertThat(socket.awaitedAcks).hasSize(LIMIT / 2 + 1).containsKey((long) LIMIT);
    }

    @Test
    void atTheLimitClientAcksWaitingLongerThanTheBoundAreForgotten() {
        for (long i = 0; i < LIMIT; i++) {
            socket.pendingAcks.put(i, i < 10 ? 0L : ABANDONED);
        }

        assertThat(socket.roomForClientAck(ABANDONED - 1)).isFalse();
        assertThat(socket.pendingAcks).hasSize(LIMIT);
        assertThat(socket.roomForClientAck(ABANDONED)).isTrue();
        assertThat(socket.pendingAcks).hasSize(LIMIT - 10).doesNotContainKey(0L).containsKey(10L);
    }

    @Test
    void anEndedSocketRegistersNothing() {
        socket.end();

        assertThat(socket.await(1, new AwaitedAck("b", 1, 0), abandoned::add)).isEqualTo(AwaitRefusal.GONE);
        assertThat(socket.awaitedAcks).isEmpty();
    }
}
