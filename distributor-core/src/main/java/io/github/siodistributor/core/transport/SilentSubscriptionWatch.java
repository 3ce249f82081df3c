package io.github.siodistributor.core.transport;

import io.github.siodistributor.core.transport.SubscriptionCheck.Outcome;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces a subscription connection that stopped delivering without closing. Lettuce connects again a connection
 * that closes, and TCP keepalive closes one whose peer is gone; neither sees one that stays open and delivers
 * nothing, as behind a proxy or a sidecar that keeps TCP alive to the process while its own way to Redis is cut.
 * Left alone, such a subscription stays silent for good: Redis still counts it, so nothing published to the process
 * is even counted as lost.
 *
 * <p>It costs nothing while messages come in: a check that finds the bus received something since the previous one
 * sends nothing. After a quiet interval it probes; a probe that Redis took for a subscriber but that did not come
 * back ({@link Outcome#SILENT}), or that reached no subscriber at all, {@link #CHECKS_TO_REPLACE} times in a row with
 * nothing received between, has the subscription's connection closed, and Lettuce connects it again and subscribes
 * its channels anew. A subscription that is only behind still receives, so it is left alone; a probe that Redis did
 * not answer is an outage, for Lettuce and the outage handling, not for this; nor is a delivery thread held by one
 * message's handler (what waits behind it would be lost).
 */
final class SilentSubscriptionWatch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SilentSubscriptionWatch.class);

    /** Silent probes in a row that replace the connection: one could be a pause of this process. */
    static final int CHECKS_TO_REPLACE = 2;

    private final LongSupplier received;
    private final BooleanSupplier delivering;
    private final Supplier<CompletableFuture<SubscriptionCheck>> probe;
    private final BooleanSupplier replace;
    private final Duration probeTimeout;
    private ScheduledExecutorService timer;
    /** What {@link #received} said at the previous check, and when it last changed (System.nanoTime). */
    private long receivedBefore = -1;
    private long quietSince;
    private int silentChecks;
    /** Whether it was said that there is no connection to replace: once until the subscription delivers again. */
    private boolean saidUnreplaceable;
    /** Whether it was said that the delivery thread is held: once until the subscription delivers again. */
    private boolean saidHeld;

    /**
     * @param received how many messages the subscription has delivered so far
     * @param delivering whether one is being handled on the delivery thread right now
     * @param probe starts a probe of the subscription that completes within {@code probeTimeout}
     * @param replace closes the subscription's connection for Lettuce to connect again; false when none was found
     */
    SilentSubscriptionWatch(LongSupplier received, BooleanSupplier delivering,
            Supplier<CompletableFuture<SubscriptionCheck>> probe, BooleanSupplier replace, Duration probeTimeout) {
        this.received = received;
        this.delivering = delivering;
        this.probe = probe;
        this.replace = replace;
        this.probeTimeout = probeTimeout;
    }

    /** Checks every {@code interval} on a daemon thread of its own, until {@link #close()}. */
    synchronized void start(Duration interval, String name) {
        if (timer != null) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(this::checkQuietly, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void checkQuietly() {
        try {
            check();
        } catch (RuntimeException e) {
            // a failed check must not end the schedule
            log.debug("The subscription check failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One check; waits for its probe, if it sends one, at most the probe timeout and a margin. */
    void check() throws InterruptedException {
        long seen = received.getAsLong();
        if (seen != receivedBefore) {
            receivedBefore = seen;
            quietSince = System.nanoTime();
            silentChecks = 0;
            saidUnreplaceable = false;
            saidHeld = false;
            return;
        }
        SubscriptionCheck check = await(probe.get());
        if (received.getAsLong() != seen) {
            return; // something came in meanwhile, the probe perhaps: the next check starts over
        }
        if (delivering.getAsBoolean()) {
            // not silent: one message holds the delivery thread, and what follows waits unread; replaced, the
            // connection would lose it all
            silentChecks = 0;
            if (!saidHeld) {
                saidHeld = true;
                log.warn("One Redis message has held the distributor's delivery thread for over {} s: nothing else is "
                        + "delivered to this process meanwhile (a handler of a non-blocking namespace that blocks?)",
                        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - quietSince));
            }
            return;
        }
        switch (check.outcome()) {
            case SILENT, NOT_SUBSCRIBED -> silentChecks++;
            case UNREACHABLE, UNKNOWN -> {
                silentChecks = 0;
                return;
            }
            case DELIVERED -> {
                return;
            }
        }
        if (silentChecks < CHECKS_TO_REPLACE) {
            return;
        }
        silentChecks = 0;
        long quietSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - quietSince);
        if (replace.getAsBoolean()) {
            log.warn("The Redis subscription delivered nothing for {} s though Redis answered {} probes in a row ({}): "
                    + "its connection was closed for Lettuce to connect it again and resubscribe; what was published "
                    + "to this process meanwhile is lost (a proxy or sidecar between the process and Redis that keeps "
                    + "the connection open while its own way to Redis is cut?)", quietSeconds, CHECKS_TO_REPLACE,
                    check.detail());
        } else if (!saidUnreplaceable) {
            saidUnreplaceable = true;
            log.warn("The Redis subscription delivered nothing for {} s though Redis answered {} probes in a row ({}), "
                    + "and no open subscription connection was found to replace (Lettuce is reconnecting it, or the "
                    + "connection factory is not a standalone Lettuce one): restart the process if its health stays "
                    + "DOWN", quietSeconds, CHECKS_TO_REPLACE, check.detail());
        }
    }

    private SubscriptionCheck await(CompletableFuture<SubscriptionCheck> started) throws InterruptedException {
        try {
            // the probe times itself out; the margin only guards against one that never completes
            return started.get(probeTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return SubscriptionCheck.of(Outcome.UNKNOWN, "the probe did not complete: " + e);
        }
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }
}
