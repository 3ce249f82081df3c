package io.github.siodistributor.backend.runtime;

import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.Message.InstanceAnnouncement;
import io.github.siodistributor.core.transport.BackendRegistry;
import io.github.siodistributor.core.transport.MessageBus;
import io.github.siodistributor.core.transport.WorkerLeases;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backend instance's liveness as workers see it: a heartbeat in the {@link BackendRegistry} every third
 * of the TTL for each namespace spec it handles, and announcements on {@code <prefix>:instances} so that
 * workers act at once when it arrives or leaves.
 */
final class BackendPresence implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BackendPresence.class);

    private final String backendId;
    private final BackendRegistry registry;
    private final MessageBus bus;
    private final ChannelNames channels;
    private final Duration ttl;
    private final Supplier<Collection<String>> specs;
    /** When the heartbeat was last renewed (System.nanoTime); written by the heartbeat thread after start. */
    private volatile long renewedNanos;
    /** The last heartbeat's failure, or null once one succeeds: what the health check reports. */
    private volatile RuntimeException lastFailure;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "distributor-backend-heartbeat");
        thread.setDaemon(true);
        return thread;
    });

    BackendPresence(String backendId, BackendRegistry registry, MessageBus bus, ChannelNames channels, Duration ttl,
            Supplier<Collection<String>> specs) {
        if (ttl.compareTo(WorkerLeases.MINIMUM_TTL) < 0) {
            throw new IllegalArgumentException("a backend heartbeat TTL must be at least "
                    + WorkerLeases.MINIMUM_TTL.toMillis() + " ms, got " + ttl);
        }
        this.backendId = backendId;
        this.registry = registry;
        this.bus = bus;
        this.channels = channels;
        this.ttl = ttl;
        this.specs = specs;
    }

    /** Registers and announces every spec now (failing when Redis cannot be reached), then keeps beating. */
    void start() {
        Collection<String> all = specs.get();
        registry.heartbeat(backendId, all, ttl);
        renewedNanos = System.nanoTime();
        all.forEach(spec -> announce(spec, false));
        long period = ttl.toMillis() / 3;
        timer.scheduleWithFixedDelay(this::beat, period, period, TimeUnit.MILLISECONDS);
    }

    /** A namespace registered after start-up. */
    void added(String spec) {
        registry.heartbeat(backendId, List.of(spec), ttl);
        announce(spec, false);
    }

    private void beat() {
        try {
            registry.heartbeat(backendId, specs.get(), ttl);
            lastFailure = null;
            long now = System.nanoTime();
            long sinceLast = now - renewedNanos;
            renewedNanos = now;
            if (sinceLast > ttl.toNanos()) {
                log.warn("Backend instance {} renewed its heartbeat {} ms after the last renewal, past its TTL "
                        + "({} ms): it was paused or cut off from Redis, and workers may have presumed it dead and moved its "
                        + "sockets to other instances. Each such socket is forgotten here when its worker says so "
                        + "(SocketMoved)", backendId, sinceLast / 1_000_000, ttl.toMillis());
            }
        } catch (RuntimeException e) {
            lastFailure = e;
            if (registry.isPaused()) {
                log.debug("Backend instance {} could not renew its heartbeat while its context is paused: {}",
                        backendId, e.toString());
            } else {
                log.warn("Backend instance {} could not renew its heartbeat: {}", backendId, e.toString());
            }
        }
    }

    /**
     * Registered while the heartbeat renews: not once a renewal failed, nor while none has succeeded within the TTL
     * (a renewal waiting on a Redis that does not answer fails only at the client's command timeout, a minute by
     * default): its entries then expire, and workers take the instance for dead.
     */
    DistributorBackend.Registration registration() {
        RuntimeException failure = lastFailure;
        if (failure != null) {
            return new DistributorBackend.Registration(false, "the heartbeat could not be renewed: " + failure);
        }
        long ago = (System.nanoTime() - renewedNanos) / 1_000_000;
        if (ago > ttl.toMillis()) {
            return new DistributorBackend.Registration(false, "the heartbeat was not renewed for " + ago
                    + " ms, longer than its TTL of " + ttl.toMillis() + " ms: Redis is unreachable or slow");
        }
        return new DistributorBackend.Registration(true, "registered, heartbeat every " + ttl.toMillis() / 3
                + " ms (TTL " + ttl.toMillis() + " ms)");
    }

    /** Stops beating, leaves the registry and tells the workers to hand this instance's sockets over. */
    void leave() {
        timer.shutdownNow();
        try {
            // a beat still running could put the entries back after they are removed
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Collection<String> all = specs.get();
        if (!bus.isConnected()) {
            // asking Redis now would hold the stop for the client's whole command timeout
            log.warn("Backend instance {} leaves while Redis is unreachable: its registry entries expire within their "
                    + "TTL ({} ms)", backendId, ttl.toMillis());
        } else {
            try {
                registry.remove(backendId, all);
            } catch (RuntimeException e) {
                log.warn("Backend instance {} could not leave the registry (its entries expire by themselves): {}",
                        backendId, e.toString());
            }
        }
        all.forEach(spec -> announce(spec, true));
    }

    private void announce(String spec, boolean leaving) {
        bus.publish(channels.instances(), new InstanceAnnouncement(spec, backendId, leaving));
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
