package io.github.siodistributor.core.worker;

import io.github.siodistributor.core.metrics.StatsByNamespace;
import java.util.concurrent.atomic.LongAdder;

/** What a worker has seen on its Redis subscriptions, and forwarded from its clients. */
public final class WorkerStats {

    final LongAdder socketCommands = new LongAdder();
    final LongAdder broadcasts = new LongAdder();
    final LongAdder forwarded = new LongAdder();
    final LongAdder discarded = new LongAdder();
    final StatsByNamespace namespaces = new StatsByNamespace();

    /** Per namespace spec: connects, disconnects, events, acks, broadcasts, the end-to-end ack latency. */
    public StatsByNamespace namespaces() {
        return namespaces;
    }

    /** Per-socket commands received on this worker's own channel. */
    public long socketCommandsReceived() {
        return socketCommands.sum();
    }

    /** Commands received on the namespace broadcast channels: broadcasts, fetches and room or disconnect commands. */
    public long broadcastsReceived() {
        return broadcasts.sum();
    }

    /** Volatile (discardable) broadcast packets not sent because the client could not take them at once. */
    public long volatilePacketsDiscarded() {
        return discarded.sum();
    }

    /**
     * Messages published towards the backends: a socket's activity (connect, events, disconnect; each time it is
     * sent, so again after an instance did not hear it) and the answers to backends' requests.
     */
    public long messagesForwarded() {
        return forwarded.sum();
    }
}
