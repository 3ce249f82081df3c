package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.siodistributor.core.engine.EngineServer;
import io.github.siodistributor.core.protocol.SocketIds;
import io.github.siodistributor.core.worker.DistributorWorker;
import io.github.siodistributor.testsupport.NodeClients;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The HTTP requests the workers of this JVM received since a moment, by worker: to hold what a balancer did
 * against what the clients sent.
 */
final class WorkerRequests {

    private final Map<String, EngineServer> engines = new HashMap<>();
    private final Map<String, Long> receivedBefore;
    private final Map<String, Long> unknownBefore;

    private WorkerRequests(Map<String, ConfigurableApplicationContext> workers) {
        workers.forEach((id, context) -> engines.put(id, context.getBean(DistributorWorker.class).engine()));
        receivedBefore = now(EngineServer::requestsReceived);
        unknownBefore = now(EngineServer::unknownSessionRequests);
    }

    /** Counting from now on. */
    static WorkerRequests since(Map<String, ConfigurableApplicationContext> workers) {
        return new WorkerRequests(workers);
    }

    /** Requests each worker received since. */
    Map<String, Long> received() {
        return since(now(EngineServer::requestsReceived), receivedBefore);
    }

    /** Requests each worker received since for a session it does not hold. */
    Map<String, Long> forUnknownSessions() {
        return since(now(EngineServer::unknownSessionRequests), unknownBefore);
    }

    /**
     * What the clients sent for each of their sessions (counted in the Node process where the requests go out,
     * handshakes included) is what the session's worker received, and no worker received a request for a session
     * it does not hold.
     *
     * @param engineIds every client connected since, by client id: its Engine.IO session id
     */
    void assertEveryRequestReachedItsOwner(NodeClients clients, Map<String, String> engineIds, Duration wait) {
        await("the workers' counts of the clients' requests").atMost(wait).untilAsserted(() -> {
            NodeClients.RequestCounts counts = clients.requestCounts();
            assertThat(counts.withoutSid()).as("handshakes").isEqualTo(engineIds.size());
            Map<String, Long> sentTo = new HashMap<>();
            engines.keySet().forEach(worker -> sentTo.put(worker, 0L));
            for (String engineId : engineIds.values()) {
                sentTo.merge(SocketIds.workerOf(engineId), counts.bySid().getOrDefault(engineId, 0L) + 1, Long::sum);
            }
            assertThat(received()).as("requests received by each worker").isEqualTo(sentTo);
        });
        assertThat(forUnknownSessions().values()).as("requests for sessions a worker does not hold").containsOnly(0L);
    }

    private Map<String, Long> now(ToLongFunction<EngineServer> counter) {
        Map<String, Long> counts = new HashMap<>();
        engines.forEach((id, engine) -> counts.put(id, counter.applyAsLong(engine)));
        return counts;
    }

    private static Map<String, Long> since(Map<String, Long> now, Map<String, Long> before) {
        Map<String, Long> delta = new HashMap<>();
        now.forEach((id, count) -> delta.put(id, count - before.get(id)));
        return delta;
    }
}
