package io.github.siodistributor.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A namespace's durations reach every binding that asked for them, as when meters are bound to two registries. */
class NamespaceStatsTest {

    @Test
    void everyBindingOfTheDurationsGetsEachOne() {
        NamespaceStats stats = new StatsByNamespace().of("/chat");
        List<Long> firstHandler = new CopyOnWriteArrayList<>();
        List<Long> secondHandler = new CopyOnWriteArrayList<>();
        List<Long> firstAck = new CopyOnWriteArrayList<>();
        List<Long> secondAck = new CopyOnWriteArrayList<>();

        stats.handlerTime(1);
        stats.recordHandlerTimeWith(firstHandler::add);
        stats.recordAckLatencyWith(firstAck::add);
        stats.handlerTime(2);
        stats.recordHandlerTimeWith(secondHandler::add);
        stats.recordAckLatencyWith(secondAck::add);
        stats.handlerTime(3);
        stats.ackLatency(4);

        assertThat(firstHandler).containsExactly(2L, 3L);
        assertThat(secondHandler).containsExactly(3L);
        assertThat(firstAck).containsExactly(4L);
        assertThat(secondAck).containsExactly(4L);
    }
}
