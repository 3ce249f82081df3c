package io.github.siodistributor.autoconfigure;

import io.github.siodistributor.core.transport.RedisMessageBus;
import org.springframework.context.SmartLifecycle;

/**
 * Lets the distributor outlive a pause of its application context. Spring's test context cache pauses the contexts
 * it keeps between test classes: the pauseable lifecycle beans stop, Spring Data Redis's connection factory among
 * them (closing every connection it gave out, for good), and start again when a test needs the context. The
 * distributor itself is not pauseable ({@link DistributorLifecycle#isPauseable()}); this bean, between the two in
 * phase, closes the message bus's connections before the factory stops and takes new ones once it has started
 * again. Leases, heartbeats and the registry take a connection per call, and carry on by themselves.
 *
 * <p>At the context's first start and at its close it does nothing: the distributor's own lifecycle starts the
 * bus after it, and stops it before it.
 */
class PausedRedisConnections implements SmartLifecycle {

    /** Above Spring Data Redis's connection factory (phase 0), below {@link DistributorLifecycle#PHASE}. */
    static final int PHASE = 1024;

    private final RedisMessageBus bus;
    private volatile boolean running;

    PausedRedisConnections(RedisMessageBus bus) {
        this.bus = bus;
    }

    @Override
    public void start() {
        bus.resume();
        running = true;
    }

    @Override
    public void stop() {
        bus.suspend();
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
