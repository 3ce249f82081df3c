package io.github.siodistributor.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The sockets one test opened are gone before the next test of the same (cached) context runs, and a
 * test's own properties win over the ones {@link DistributorTest} sets.
 */
@DistributorTest(properties = "distributor.worker.id=reset-test")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DistributorTestResetTest {

    private static TestSocket fromFirstTest;
    private static String fromFirstTestId;

    @Autowired
    DistributorTestClient client;

    @Autowired
    EchoHandler handler;

    @Test
    @Order(1)
    void firstTestLeavesASocketOpen() {
        fromFirstTest = client.connect("/echo");
        fromFirstTestId = fromFirstTest.id();
        assertThat(fromFirstTestId).startsWith("reset-test.");
    }

    @Test
    @Order(2)
    void theNextTestFindsItDisconnectedAndTheBackendTold() throws InterruptedException {
        assertThat(fromFirstTest).isNotNull();
        assertThat(fromFirstTest.connected()).isFalse();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String gone;
        do {
            gone = handler.disconnected.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        } while (gone != null && !gone.equals(fromFirstTestId));
        assertThat(gone).as("the backend's disconnect of the first test's socket").isEqualTo(fromFirstTestId);
    }
}
