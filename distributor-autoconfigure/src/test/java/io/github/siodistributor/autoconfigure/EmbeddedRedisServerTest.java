package io.github.siodistributor.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.siodistributor.testsupport.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** The embedded development Redis: a real redis-server process, started and stopped by the distributor itself. */
class EmbeddedRedisServerTest {

    @Test
    void startsOnAFreePortAndIsGoneOnceStopped() {
        EmbeddedRedisServer server = EmbeddedRedisServer.start(0);
        try {
            assertThat(FreePorts.accepts(server.port())).isTrue();
        } finally {
            server.stop();
        }
        assertThat(FreePorts.accepts(server.port())).as("stopped: its port is closed").isFalse();
        server.stop();
    }

    @Test
    void aPortTakenFailsTheStartSayingWhichAndWhy() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThatThrownBy(() -> EmbeddedRedisServer.start(taken.getLocalPort()))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("Could not start the embedded Redis server on port " + taken.getLocalPort())
                    .hasMessageContaining("Address already in use");
        }
    }

}
