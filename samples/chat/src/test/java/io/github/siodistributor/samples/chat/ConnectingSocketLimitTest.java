package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.backend.SocketAckException;
import io.github.siodistributor.core.transport.DroppedMessages;
import io.github.siodistributor.core.transport.DroppedMessages.Cause;
import io.github.siodistributor.testsupport.NodeClients;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What a connect handler sends a socket waits on the worker until the connect is decided, up to a limit: beyond it
 * a command is dropped (counted), and an emit with ack fails at once instead of at its timeout.
 */
class ConnectingSocketLimitTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void anEmitWithAckOverTheHeldLimitFailsAtOnceAndWhatWasHeldArrives() throws Exception {
        try (ChatCluster cluster = new ChatCluster(); NodeClients clients = new NodeClients()) {
            ConfigurableApplicationContext worker = cluster.worker("w1", FloodingConnectHandler.class);
            FloodingConnectHandler handler = cluster.backend(FloodingConnectHandler.class)
                    .getBean(FloodingConnectHandler.class);
            clients.connect("c", ChatCluster.url(worker), "/flood", Map.of(), null);
            clients.awaitConnect("c");

            Throwable failure = handler.overTheLimit.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(failure).isInstanceOf(SocketAckException.class)
                    .hasMessageContaining("still connecting and already holds " + FloodingConnectHandler.HELD);
            assertThat(worker.getBean(DroppedMessages.class).count(Cause.LIMIT_EXCEEDED)).isEqualTo(1);
            await().atMost(WAIT).until(() -> clients.received("c", "filler").size() == FloodingConnectHandler.HELD);
            assertThat(clients.received("c", "filler")).extracting(line -> line.path("args").path(0).asInt())
                    .isSorted();
            assertThat(clients.received("c", "question")).isEmpty();
        }
    }
}
