package io.github.siodistributor.core.worker;

import io.github.siodistributor.core.engine.EngineSession;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
