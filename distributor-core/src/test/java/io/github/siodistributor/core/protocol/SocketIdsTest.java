package io.github.siodistributor.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class SocketIdsTest {

    @Test
    void socketIdsNameTheirWorker() {
        String id = SocketIds.of("w-1", "Ab3_x-9");

        assertThat(id).isEqualTo("w-1.Ab3_x-9");
        assertThat(SocketIds.workerOf(id)).isEqualTo("w-1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "W_2", "worker-01", "0123456789012345678901234567890123456789012345678901234567890123"})
    void roundTripsEveryValidWorkerId(String workerId) {
        for (int i = 0; i < 100; i++) {
            String local = UUID.randomUUID().toString();
            assertThat(SocketIds.workerOf(SocketIds.of(workerId, local))).isEqualTo(workerId);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "no-dot-here", ".abc", "w-1."})
    void workerOfIsNullForIdsWithoutAWorkerOrALocalPart(String socketId) {
        assertThat(SocketIds.workerOf(socketId)).isNull();
    }

    @Test
    void aSocketIdNamesTheWorkerRunThatMadeIt() {
        WorkerRun run = new WorkerRun("w-1", "Run_-001");

        String id = run.socketId("Ab3_x-9Ab3_x");

        assertThat(id).isEqualTo("w-1.Run_-001Ab3_x-9Ab3_x");
        assertThat(SocketIds.runOf(id)).isEqualTo(run);
        assertThat(SocketIds.workerOf(id)).isEqualTo("w-1");
        assertThat(SocketIds.runOf(new WorkerRun("w-1", "Run_-002").socketId("Ab3_x-9Ab3_x"))).isNotEqualTo(run);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "no-dot-here", ".abc", "w-1.", "w-1.Run_-00", "w-1.Run_-001"})
    void runOfIsNullForIdsWithoutAWorkerOrARunIdAndMore(String socketId) {
        assertThat(SocketIds.runOf(socketId)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "Z", "9", "_", "-", "w-1", "worker_A-07",
            "0123456789012345678901234567890123456789012345678901234567890123"})
    void acceptsValidWorkerIds(String workerId) {
        assertThatCode(() -> SocketIds.requireValidWorkerId(workerId)).doesNotThrowAnyException();
        assertThat(SocketIds.WORKER_ID.matcher(workerId).matches()).isTrue();
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "has space", "a.b", "a:b", "a/b", "ünï", "w\n", " w", "w*",
            "01234567890123456789012345678901234567890123456789012345678901234"})
    void rejectsInvalidWorkerIdsNamingThePattern(String workerId) {
        assertThatIllegalArgumentException().isThrownBy(() -> SocketIds.requireValidWorkerId(workerId))
                .withMessageContaining("worker id '" + workerId + "'")
                .withMessageContaining(SocketIds.WORKER_ID.pattern());
    }
}
