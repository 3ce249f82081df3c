package io.github.siodistributor.core.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * What one role (a worker, a backend) saw of one namespace: cheap counters a message increments without
 * allocating, read by whoever exports them. Resolved once per namespace spec ({@link StatsByNamespace}) and kept
 * where the messages pass (a socket, a namespace), so that counting never looks anything up.
 */
public final class NamespaceStats {

    private final String spec;
    private final LongAdder connected = new LongAdder();
    private final LongAdder connects = new LongAdder();
    private final LongAdder eventsIn = new LongAdder();
    private final LongAdder eventsOut = new LongAdder();
    private final LongAdder acksSent = new LongAdder();
    private final LongAdder acksReceived = new LongAdder();
    private final LongAdder acksTimedOut = new LongAdder();
    private final LongAdder broadcasts = new LongAdder();
    /** By reason: a small set (Socket.IO's reasons and the distributor's own), one adder each, made once. */
    private final Map<String, LongAdder> disconnects = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<BiConsumer<String, LongAdder>> reasonListeners = new CopyOnWriteArrayList<>();
    private volatile Latency handlerTime = Latency.IGNORED;
    private volatile Latency ackLatency = Latency.IGNORED;

    NamespaceStats(String spec) {
        this.spec = spec;
    }

    /** The namespace name, or the pattern of a dynamic namespace (which keeps the number of tags bounded). */
    public String spec() {
        return spec;
    }

    // ---- counting (from the message paths)

    public void connected() {
        connects.increment();
        connected.increment();
    }

    public void disconnected(String reason) {
        LongAdder byReason = disconnects.get(reason);
        if (byReason == null) {
            byReason = newReason(reason);
        }
        // the reason first: whoever sees the connection gone finds why counted
        byReason.increment();
        connected.decrement();
    }

    private synchronized LongAdder newReason(String reason) {
        LongAdder created = new LongAdder();
        LongAdder existing = disconnects.putIfAbsent(reason, created);
        if (existing != null) {
            return existing;
        }
        reasonListeners.forEach(listener -> listener.accept(reason, created));
        return created;
    }

    public void eventIn() {
        eventsIn.increment();
    }

    public void eventsOut(long count) {
        eventsOut.add(count);
    }

    public void ackSent() {
        acksSent.increment();
    }

    public void ackReceived() {
        acksReceived.increment();
    }

    public void acksReceived(long count) {
        acksReceived.add(count);
    }

    public void ackTimedOut() {
        acksTimedOut.increment();
    }

    public void broadcast() {
        broadcasts.increment();
    }

    /** Time a handler method took (backend). */
    public void handlerTime(long nanos) {
        handlerTime.record(nanos);
    }

    /** From a client's event asking for an ack to the backend's answer written back to the client (worker). */
    public void ackLatency(long nanos) {
        ackLatency.record(nanos);
    }

    // ---- reading (by an exporter)

    /** Sockets connected now. */
    public long connectedNow() {
        return connected.sum();
    }

    public long connects() {
        return connects.sum();
    }

    public long eventsIn() {
        return eventsIn.sum();
    }

    public long eventsOut() {
        return eventsOut.sum();
    }

    public long acksSent() {
        return acksSent.sum();
    }

    public long acksReceived() {
        return acksReceived.sum();
    }

    public long acksTimedOut() {
        return acksTimedOut.sum();
    }

    public long broadcasts() {
        return broadcasts.sum();
    }

    public long disconnects(String reason) {
        LongAdder byReason = disconnects.get(reason);
        return byReason == null ? 0 : byReason.sum();
    }

    /**
     * Calls {@code listener} with every disconnect reason seen so far and every new one from now on, with its
     * count (an exporter registers one meter per reason).
     */
    public synchronized void onDisconnectReason(BiConsumer<String, LongAdder> listener) {
        reasonListeners.add(listener);
        disconnects.forEach(listener);
    }

    /** Adds where handler times go: each binding (one per meter registry) gets every one. */
    public synchronized void recordHandlerTimeWith(Latency latency) {
        handlerTime = handlerTime.and(latency);
    }

    /** Adds where ack latencies go: each binding (one per meter registry) gets every one. */
    public synchronized void recordAckLatencyWith(Latency latency) {
        ackLatency = ackLatency.and(latency);
    }
}
