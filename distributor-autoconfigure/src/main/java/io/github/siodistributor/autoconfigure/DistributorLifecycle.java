package io.github.siodistributor.autoconfigure;

import io.github.siodistributor.autoconfigure.failure.RedisUnreachableException;
import io.github.siodistributor.autoconfigure.failure.WorkerPortInUseException;
import io.github.siodistributor.backend.runtime.DistributorBackend;
import io.github.siodistributor.core.transport.BackendRegistry;
import io.github.siodistributor.core.transport.RedisMessageBus;
import io.github.siodistributor.core.worker.DistributorWorker;
import io.github.siodistributor.core.worker.WorkerSettings;
import java.net.BindException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.RedisConnectionFailureException;

/**
 * Starts the distributor once every subscription is registered (worker channels in the worker's
 * constructor, handler namespaces after all singletons exist): first the Redis bus, which subscribes
 * them all and waits for Redis to confirm, then the backend instance's announcement, then the worker's
 * listening socket, so that no client event can reach a backend that is not yet listening. Stopping, the worker
 * closes first (every socket's backend hears it left), then the backend instance hands the sockets it still has
 * over to the other instances.
 *
 * <p>It runs in {@link #PHASE}, below the web server's phases: the application's web requests (and the
 * application's own lifecycle beans of the default phase) find the distributor running from their first to their
 * last, the web server's graceful drain included, and it stops before Spring Data Redis's connection factory.
 *
 * <p>Each role logs one line once it runs; a Redis that cannot be reached and a worker port that is taken fail
 * the start with their own exceptions, which the distributor's failure analyzers explain.
 */
public class DistributorLifecycle implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DistributorLifecycle.class);

    /**
     * Below Spring Boot's web server (it starts in {@code DEFAULT_PHASE - 2048} and drains in {@code DEFAULT_PHASE -
     * 1024}), above Spring Data Redis's connection factory (phase 0): started before, stopped after the one, and
     * the other way round for the other.
     */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private final RedisMessageBus bus;
    private final ObjectProvider<DistributorWorker> worker;
    private final ObjectProvider<DistributorBackend> backend;
    private final BackendRegistry registry;
    private final Duration heartbeatTtl;
    private final Duration handoverTimeout;
    private final RedisTarget redis;
    private final String prefix;
    private volatile boolean running;
    private volatile CountDownLatch keepAlive;

    public DistributorLifecycle(RedisMessageBus bus, ObjectProvider<DistributorWorker> worker,
            ObjectProvider<DistributorBackend> backend, BackendRegistry registry, Duration heartbeatTtl,
            Duration handoverTimeout, RedisTarget redis, String prefix) {
        this.bus = bus;
        this.worker = worker;
        this.backend = backend;
        this.registry = registry;
        this.heartbeatTtl = heartbeatTtl;
        this.handoverTimeout = handoverTimeout;
        this.redis = redis;
        this.prefix = prefix;
    }

    @Override
    public void start() {
        try {
            bus.start();
        } catch (RedisConnectionFailureException e) {
            throw new RedisUnreachableException(redis.description(), e);
        }
        try {
            // the backend is announced before the worker reads the registry, so that the first clients find it
            backend.ifAvailable(instance -> {
                instance.announce(registry, heartbeatTtl);
                log.info("Distributor backend {} handling {} ({})", instance.id(), String.join(", ",
                        instance.namespaces()), redisLine());
            });
            worker.ifAvailable(this::startWorker);
        } catch (RuntimeException | Error e) {
            // a lifecycle that failed to start is not stopped: undo what did start, or the backend stays in the
            // registry until its heartbeat expires, and workers send it sockets nobody will serve
            try {
                backend.ifAvailable(instance -> instance.handOver(handoverTimeout));
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            } finally {
                try {
                    bus.stop();
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
        startKeepAlive();
        running = true;
    }

    private void startWorker(DistributorWorker instance) {
        WorkerSettings settings = instance.settings();
        String host = settings.host() == null ? "0.0.0.0" : settings.host();
        try {
            instance.start();
        } catch (RuntimeException e) {
            if (portInUse(e)) {
                throw new WorkerPortInUseException(host, settings.port(), e);
            }
            throw e;
        }
        log.info("Distributor worker {} listening on {}:{} ({}) for {} ({})", instance.id(), host, instance.port(),
                instance.transport().displayName(),
                String.join(", ", settings.namespaces()), redisLine());
    }

    private String redisLine() {
        return "Redis " + redis.description() + ", prefix " + prefix;
    }

    /**
     * A bind failure because the port is taken; not one because the address is not this machine's or the port
     * needs privileges, which the port-in-use analysis would explain wrongly.
     */
    private static boolean portInUse(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof BindException bind) {
                return String.valueOf(bind.getMessage()).toLowerCase(Locale.ROOT).contains("in use");
            }
        }
        return false;
    }

    @Override
    public void stop() {
        // each step whatever the one before it threw: a worker that failed to close must not keep the backend in the
        // registry, nor the bus running
        try {
            // the worker first: its clients' backends, this process's among them, hear that they left and run their
            // disconnect handlers. Handed over first, this process's backend would pass them to the other
            // instances only to have them disconnected there at once, or, the namespace's only instance, hold them
            // with no one to run their disconnect handlers
            worker.ifAvailable(DistributorWorker::close);
        } finally {
            try {
                if (bus.isSuspended()) {
                    // a paused context closed as it is (Spring's context cache evicting it): no worker can hear
                    // of a hand-over without Redis, and waiting for one would only hold the close
                    log.info("Distributor: the application context closes while paused, its Redis connections "
                            + "closed; its registry entries and lease expire by themselves");
                } else {
                    // then the sockets it has on the other workers, which keep their clients, go to the other
                    // instances
                    backend.ifAvailable(instance -> instance.handOver(handoverTimeout));
                }
            } finally {
                stopBus();
            }
        }
    }

    private void stopBus() {
        try {
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
    public int getPhase() {
        return PHASE;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * Not stopped when the context is paused (Spring's test context cache pauses the contexts it keeps between
     * test classes): a stopped worker has closed its port, subscriptions and timers for good, and a backend has
     * handed its sockets over, so the context could not run again.
     */
    @Override
    public boolean isPauseable() {
        return false;
    }
}
