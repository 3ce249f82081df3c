package io.github.siodistributor.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void aFoundPortIsBelowTheEphemeralRangeAndCanBeBoundOnLoopback() throws IOException {
        for (int i = 0; i < 20; i++) {
            int port = FreePorts.find();
            assertThat(port).isBetween(FreePorts.LOWEST, FreePorts.HIGHEST).isNotEqualTo(FreePorts.CONVENIENCE_REDIS_PORT);
            try (ServerSocket server = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertThat(server.getLocalPort()).isEqualTo(port);
            }
        }
    }

    @Test
    void portsPickedBeforeAnyIsBoundAreAllDifferent() {
        // 256 random picks of 12,768 ports would repeat one nine times in ten without the memory of handed-out ports
        Set<Integer> picked = new HashSet<>();
        for (int i = 0; i < FreePorts.REMEMBERED; i++) {
            assertThat(picked.add(FreePorts.find())).as("pick %d is new", i).isTrue();
        }
    }

    @Test
    void aPortBoundOnLoopbackIsNotFree() throws IOException {
        int taken = FreePorts.find();
        try (ServerSocket holder = new ServerSocket(taken, 1, InetAddress.getLoopbackAddress())) {
            assertThat(FreePorts.isFree(taken)).isFalse();
        }
    }
}
