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

    private static final UUID SESSION = UUID.fromString("0f8c3b1e-6f4a-4c9e-9d3b-2a7e5c1d4b60");

    @Test
    void socketIdsNameTheirWorker() {
        String id = SocketIds.of("w-1", SESSION);

        assertThat(id).isEqualTo("w-1.0f8c3b1e-6f4a-4c9e-9d3b-2a7e5c1d4b60");
        assertThat(SocketIds.workerOf(id)).isEqualTo("w-1");
        assertThat(SocketIds.sessionOf(id)).isEqualTo(SESSION);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "W_2", "worker-01", "0123456789012345678901234567890123456789012345678901234567890123"})
    void roundTripsEveryValidWorkerId(String workerId) {
        for (int i = 0; i < 100; i++) {
            UUID session = UUID.randomUUID();
            String id = SocketIds.of(workerId, session);

            assertThat(SocketIds.workerOf(id)).isEqualTo(workerId);
            assertThat(SocketIds.sessionOf(id)).isEqualTo(session);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "no-dot-here", ".0f8c3b1e-6f4a-4c9e-9d3b-2a7e5c1d4b60"})
    void workerOfIsNullForIdsWithoutAWorker(String socketId) {
        assertThat(SocketIds.workerOf(socketId)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "no-dot-here", ".0f8c3b1e-6f4a-4c9e-9d3b-2a7e5c1d4b60", "w-1.", "w-1.not-a-uuid",
            "w-1.0f8c3b1e-6f4a-4c9e-9d3b", "w-1.0f8c3b1e-6f4a-4c9e-9d3b-2a7e5c1d4b60x",
            "w-1.zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", "w-1.0f8c3b1e-6f4a-4c9e-9d3b-2a7e5c1d4b60.extra"})
    void sessionOfIsNullForIdsNotMadeByOf(String socketId) {
        assertThat(SocketIds.sessionOf(socketId)).isNull();
    }

    /**
     * {@code UUID.fromString} also accepts short, non-canonical forms ("1-2-3-4-5"); an id carrying one was
     * not made by {@link SocketIds#of} and does not name the same socket as the canonical id.
     */
    @ParameterizedTest
    @ValueSource(strings = {"w-1.1-2-3-4-5", "w-1.0-0-0-0-0", "w-1.f8c3b1e-6f4a-4c9e-9d3b-2a7e5c1d4b60"})
    void sessionOfIsNullForNonCanonicalUuids(String socketId) {
        UUID session = SocketIds.sessionOf(socketId);

        assertThat(session).as("session of %s (canonical id would be %s)", socketId,
                session == null ? null : SocketIds.of("w-1", session)).isNull();
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
