package io.github.siodistributor.core.worker;

import io.github.siodistributor.core.engine.EngineSession;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** One client's connection to one namespace, as the worker holds it. */
final class WorkerSocket {

    /** Unanswered acks one socket may have; a backend that never answers must not grow a worker's memory. */
    static final int PENDING_ACK_LIMIT = 1024;

    final String id;
    final String namespace;
    final EngineSession session;
    final Set<String> rooms = ConcurrentHashMap.newKeySet();
    /** Ack ids the client is waiting on: only these may be answered, each once. */
    final Set<Long> pendingAcks = ConcurrentHashMap.newKeySet();
    /** Emits with ack waiting for the client's answer, by the ack id the client was given. */
    final Map<Long, AwaitedAck> awaitedAcks = new ConcurrentHashMap<>();
    private final AtomicLong nextAwaitedAck = new AtomicLong();

    /** Which backend asked, under which request id. */
    record AwaitedAck(String backendId, long requestId) {
    }

    /** Registers an emit with ack; returns the ack id for the client, or -1 when too many are waiting. */
    long await(AwaitedAck awaited) {
        if (awaitedAcks.size() >= PENDING_ACK_LIMIT) {
            return -1;
        }
        long id = nextAwaitedAck.getAndIncrement();
        awaitedAcks.put(id, awaited);
        return id;
    }

    WorkerSocket(String id, String namespace, EngineSession session) {
        this.id = id;
        this.namespace = namespace;
        this.session = session;
    }

    @Override
    public String toString() {
        return "WorkerSocket[" + namespace + " " + id + "]";
    }
}
