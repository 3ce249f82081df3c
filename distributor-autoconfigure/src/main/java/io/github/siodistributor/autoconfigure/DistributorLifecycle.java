package io.github.siodistributor.autoconfigure;

import io.github.siodistributor.backend.runtime.DistributorBackend;
import io.github.siodistributor.core.transport.BackendRegistry;
import io.github.siodistributor.core.transport.RedisMessageBus;
import io.github.siodistributor.core.worker.DistributorWorker;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the distributor once every subscription is registered (worker channels in the worker's
 * constructor, handler namespaces after all singletons exist): first the Redis bus, which subscribes
 * them all and waits for Redis to confirm, then the backend instance's announcement, then the worker's
 * listening socket, so that no client event can reach a backend that is not yet listening. Stopping, the
 * backend instance first hands its sockets over to the other instances.
 */
public class DistributorLifecycle implements SmartLifecycle {

    private final RedisMessageBus bus;
    private final ObjectProvider<DistributorWorker> worker;
    private final ObjectProvider<DistributorBackend> backend;
    private final BackendRegistry registry;
    private final Duration heartbeatTtl;
    private final Duration handoverTimeout;
    private volatile boolean running;
    private volatile CountDownLatch keepAlive;

    public DistributorLifecycle(RedisMessageBus bus, ObjectProvider<DistributorWorker> worker,
            ObjectProvider<DistributorBackend> backend, BackendRegistry registry, Duration heartbeatTtl,
            Duration handoverTimeout) {
        this.bus = bus;
        this.worker = worker;
        this.backend = backend;
        this.registry = registry;
        this.heartbeatTtl = heartbeatTtl;
        this.handoverTimeout = handoverTimeout;
    }

    @Override
    public void start() {
        bus.start();
        // the backend is announced before the worker reads the registry, so that the first clients find it
        backend.ifAvailable(instance -> instance.announce(registry, heartbeatTtl));
        worker.ifAvailable(DistributorWorker::start);
        startKeepAlive();
        running = true;
    }

    @Override
    public void stop() {
        try {
            // while the workers can still hand this instance's sockets to the others, losing no event
            backend.ifAvailable(instance -> instance.handOver(handoverTimeout));
            worker.ifAvailable(DistributorWorker::close);
            // before Spring Data Redis stops its connection factory (lifecycle phase 0), not after
            bus.stop();
        } finally {
            // whatever failed above, the JVM must be free to exit
            CountDownLatch latch = keepAlive;
            if (latch != null) {
                latch.countDown();
            }
            running = false;
        }
    }

    /**
     * A backend-only application has no thread of its own that keeps the JVM alive (Redis delivery
     * threads are daemons), so it would exit right after start-up. Like Spring Boot's keep-alive,
     * one non-daemon thread waits until the distributor stops.
     */
    private void startKeepAlive() {
        CountDownLatch latch = new CountDownLatch(1);
        keepAlive = latch;
        Thread thread = new Thread(() -> {
            try {
                latch.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "distributor-keep-alive");
        thread.setDaemon(false);
        thread.start();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
