package io.github.siodistributor.core.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.siodistributor.core.protocol.WorkerAddress;
import org.junit.jupiter.api.Test;

/** Which workers a gateway sends new sessions to after one failed it. */
class WorkerTargetTest {

    private final WorkerTarget target = new WorkerTarget("w1", new WorkerAddress("127.0.0.1", 9001));

    @Test
    void aWorkerThatRefusedTheConnectionGetsNewSessionsAgainOnceItReports() {
        target.reported(0, 1, 0, 3000);
        target.unreachable();
        assertThat(target.reachable(0)).isFalse();

        // started again on its port, say
        target.reported(0, 2, 1, 3000);

        assertThat(target.reachable(1)).isTrue();
    }

    /**
     * One that took the connection but never answered (a stuck event loop) goes on reporting, from its lease's own
     * thread: its reports do not bring it back before the backoff, or every report would cost a new session the
     * connect timeout.
     */
    @Test
    void aWorkerThatDidNotAnswerGetsNoNewSessionForTheBackoffWhateverItReports() {
        target.reported(0, 1, 0, 3000);
        target.silent(0);

        target.reported(0, 2, 1, 3000);

        long backoff = WorkerTarget.SILENT_BACKOFF.toNanos();
        assertThat(target.reachable(backoff - 1)).isFalse();
        assertThat(target.reachable(backoff)).isTrue();
    }
}
