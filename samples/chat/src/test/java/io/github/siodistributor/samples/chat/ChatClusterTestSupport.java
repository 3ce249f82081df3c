package io.github.siodistributor.samples.chat;

import io.github.siodistributor.testsupport.NodeClients;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Lifecycle shared by the cluster tests: one {@link ChatCluster} per test class (started by the
 * subclass's {@code @BeforeAll}, closed here) and fresh JavaScript clients for every test.
 */
abstract class ChatClusterTestSupport {

    protected static final long WAIT_SECONDS = 20;

    protected static ChatCluster cluster;
    protected NodeClients clients;

    @BeforeEach
    void startClients() {
        clients = new NodeClients();
    }

    @AfterEach
    void stopClients() {
        clients.close();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }
}
