package io.github.siodistributor.backend.runtime;

import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the calls of a namespace whose handler is declared non-blocking on the thread that hands them over (the
 * Redis delivery thread, mostly), and holds the handler to that promise: while a call runs, a wait on a result of
 * the distributor fails at once ({@link WaitRefusingFuture}) instead of stalling the thread that would deliver it,
 * and a call that holds the thread for long is logged.
 *
 * <p>Like handlers on one Node.js loop, no two non-blocking calls of the process ever run at once: the disconnects
 * of a lost worker's sockets come from the worker watch's thread, and must not overlap the Redis thread's calls.
 */
public final class NonBlockingDispatch implements Executor {

    /** A call that holds the thread longer than this is logged: every non-blocking namespace waited for it. */
    public static final long SLOW_MILLIS = 20;

    private static final Logger log = LoggerFactory.getLogger(NonBlockingDispatch.class);
    private static final long SLOW_NANOS = TimeUnit.MILLISECONDS.toNanos(SLOW_MILLIS);
    private static final long WARNING_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** The namespace whose non-blocking handler runs on this thread now, or null. */
    private static final ThreadLocal<String> RUNNING = new ThreadLocal<>();
    /**
     * The one loop every non-blocking call runs on, whichever thread: uncontended but for a lost worker's
     * disconnects.
     */
    private static final ReentrantLock ONE_AT_A_TIME = new ReentrantLock();

    private final String namespace;
    private final LongSupplier nanoClock;
    private final AtomicLong slowCalls = new AtomicLong();
    private final AtomicLong lastWarning;

    public NonBlockingDispatch(String namespace) {
        this(namespace, System::nanoTime);
    }

    /** With the clock that times the calls: a test's own, so that what counts as slow does not hang on its speed. */
    NonBlockingDispatch(String namespace, LongSupplier nanoClock) {
        this.namespace = namespace;
        this.nanoClock = nanoClock;
        this.lastWarning = new AtomicLong(nanoClock.getAsLong() - WARNING_INTERVAL_NANOS);
    }

    @Override
    public void execute(Runnable task) {
        ONE_AT_A_TIME.lock();
        String outer = RUNNING.get();
        RUNNING.set(namespace);
        long start = nanoClock.getAsLong();
        try {
            task.run();
        } finally {
            RUNNING.set(outer);
            long took = nanoClock.getAsLong() - start;
            ONE_AT_A_TIME.unlock();
            if (took > SLOW_NANOS) {
                slow(took);
            }
        }
    }

    /** Calls that held the thread longer than {@link #SLOW_MILLIS} ms so far. */
    public long slowCalls() {
        return slowCalls.get();
    }

    private void slow(long tookNanos) {
        long count = slowCalls.incrementAndGet();
        long now = nanoClock.getAsLong();
        long last = lastWarning.get();
        // at most one warning a minute: a handler that blocks on every event must not flood the log as well
        if (now - last >= WARNING_INTERVAL_NANOS && lastWarning.compareAndSet(last, now)) {
            log.warn("A handler of {}, declared non-blocking (@SocketNamespace(nonBlocking = true)), held the Redis"
                    + " delivery thread for {} ms (more than {} ms {} times so far): every socket of this backend's"
                    + " non-blocking namespaces waited meanwhile. Declare it blocking if it does I/O or waits",
                    namespace, TimeUnit.NANOSECONDS.toMillis(tookNanos), SLOW_MILLIS, count);
        }
    }

    /** Throws when a non-blocking handler runs on this thread: it is about to wait for a distributor result. */
    static void refuseWait() {
        String namespace = RUNNING.get();
        if (namespace != null) {
            throw new IllegalStateException("A handler of " + namespace + ", declared non-blocking"
                    + " (@SocketNamespace(nonBlocking = true)), waits for a result of the distributor, which would"
                    + " reach this backend on the very thread that waits: chain on the future instead of join() or"
                    + " get() (thenAccept, whenComplete), or declare the handler blocking");
        }
    }
}
