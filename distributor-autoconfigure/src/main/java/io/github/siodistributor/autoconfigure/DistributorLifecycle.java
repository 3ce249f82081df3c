package io.github.siodistributor.autoconfigure;

import io.github.siodistributor.core.transport.RedisMessageBus;
import io.github.siodistributor.core.worker.DistributorWorker;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the distributor once every subscription is registered (worker channels in the worker's
 * constructor, handler namespaces after all singletons exist): first the Redis bus, which subscribes
 * them all and waits for Redis to confirm, then the worker's listening socket, so that no client
 * event can reach a backend that is not yet listening.
 */
public class DistributorLifecycle implements SmartLifecycle {

    private final RedisMessageBus bus;
    private final ObjectProvider<DistributorWorker> worker;
    private volatile boolean running;

    public DistributorLifecycle(RedisMessageBus bus, ObjectProvider<DistributorWorker> worker) {
        this.bus = bus;
        this.worker = worker;
    }

    @Override
    public void start() {
        bus.start();
        worker.ifAvailable(DistributorWorker::start);
        running = true;
    }

    @Override
    public void stop() {
        worker.ifAvailable(DistributorWorker::close);
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
