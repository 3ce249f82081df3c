package io.github.siodistributor.core.worker;

import io.github.siodistributor.core.protocol.Message.ClientActivity;
import io.github.siodistributor.core.protocol.Message.SocketEvent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A socket's activity not yet delivered to a backend instance (held, or returned by a publish nobody heard), in
 * order of its sequence numbers, with the count and bytes of the client events among it. The bytes count towards
 * the worker's budget too, shared by all its sockets: clients that keep sending while no instance takes their
 * events must not pile up the worker's memory. Touched only on the socket's event loop; the budget is shared.
 */
final class WaitingLine {

    private final TreeMap<Long, ClientActivity> line = new TreeMap<>();
    private final AtomicLong workerBytes;
    private int events;
    private long eventBytes;

    /** @param workerBytes the bytes of the events waiting on every socket of the worker */
    WaitingLine(AtomicLong workerBytes) {
        this.workerBytes = workerBytes;
    }

    void put(long sequence, ClientActivity activity) {
        ClientActivity replaced = line.put(sequence, activity);
        if (replaced != null) {
            left(replaced);
        }
        if (activity instanceof SocketEvent event) {
            events++;
            eventBytes += event.args().size();
            workerBytes.addAndGet(event.args().size());
        }
    }

    boolean isEmpty() {
        return line.isEmpty();
    }

    int size() {
        return line.size();
    }

    /** The client events waiting. */
    int events() {
        return events;
    }

    /** The first in line; the line must not be empty. */
    ClientActivity first() {
        return line.firstEntry().getValue();
    }

    long firstSequence() {
        return line.firstKey();
    }

    /** Takes everything out, in order. */
    List<Map.Entry<Long, ClientActivity>> drain() {
        List<Map.Entry<Long, ClientActivity>> all = new ArrayList<>(line.entrySet());
        clear();
        return all;
    }

    void clear() {
        line.clear();
        workerBytes.addAndGet(-eventBytes);
        events = 0;
        eventBytes = 0;
    }

    void removeIf(Predicate<ClientActivity> condition) {
        for (Iterator<ClientActivity> each = line.values().iterator(); each.hasNext(); ) {
            ClientActivity activity = each.next();
            if (condition.test(activity)) {
                each.remove();
                left(activity);
            }
        }
    }

    private void left(ClientActivity activity) {
        if (activity instanceof SocketEvent event) {
            events--;
            eventBytes -= event.args().size();
            workerBytes.addAndGet(-event.args().size());
        }
    }
}
