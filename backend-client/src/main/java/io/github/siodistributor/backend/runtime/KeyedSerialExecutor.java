package io.github.siodistributor.backend.runtime;

import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks on a shared executor, one at a time and in submission order per key, while different
 * keys run in parallel. A key holds memory only while it has work queued. A key runs at most a turn's worth of tasks
 * on a thread, then goes to the back of the executor's queue: one whose tasks keep coming (a client sending a little
 * faster than its handler runs) would otherwise keep a pool thread for good, and with as many such keys as threads,
 * every other key would wait for them.
 */
public final class KeyedSerialExecutor {

    /** Tasks of one key run in a row before the other keys waiting for the executor get their turn. */
    public static final int TASKS_PER_TURN = 16;

    private static final Logger log = LoggerFactory.getLogger(KeyedSerialExecutor.class);
    /**
     * Hands a key's next turn to its executor from another thread than the executor's own: a fork/join pool (the
     * handler pool) runs what one of its threads submits on that thread, before anything submitted from outside,
     * so a turn handed over from the pool's thread would come straight back.
     */
    private static final Executor NEXT_TURN = CompletableFuture.delayedExecutor(0, TimeUnit.NANOSECONDS,
            Runnable::run);

    private final Executor executor;
    private final int tasksPerTurn;
    private final ConcurrentHashMap<String, Queue<Runnable>> queues = new ConcurrentHashMap<>();

    public KeyedSerialExecutor(Executor executor) {
        this(executor, TASKS_PER_TURN);
    }

    /**
     * With {@code tasksPerTurn} tasks of a key in a row: {@link Integer#MAX_VALUE} for an executor that runs a task
     * on the submitting thread, where there is no one else's turn to wait for (and a new turn would nest a call).
     */
    public KeyedSerialExecutor(Executor executor, int tasksPerTurn) {
        if (tasksPerTurn < 1) {
            throw new IllegalArgumentException("tasksPerTurn must be at least 1, got " + tasksPerTurn);
        }
        this.executor = executor;
        this.tasksPerTurn = tasksPerTurn;
    }

    public void execute(String key, Runnable task) {
        boolean[] created = new boolean[1];
        // adds happen inside compute, as does the drainer's "empty, so remove" check: no task is stranded
        queues.compute(key, (k, queue) -> {
            if (queue == null) {
                queue = new ConcurrentLinkedQueue<>();
                created[0] = true;
            }
            queue.add(task);
            return queue;
        });
        if (created[0]) {
            drainLater(key);
        }
    }

    /** Hands the key's queue to the executor; throws when the executor refuses, the queue dropped. */
    private void drainLater(String key) {
        try {
            executor.execute(() -> drain(key));
        } catch (RejectedExecutionException e) {
            // no drainer will come: without the queue gone, every later task of the key would wait behind it
            Queue<Runnable> stranded = queues.remove(key);
            log.error("The executor refused the work of {} ({}): {} task(s) dropped", key, e.getMessage(),
                    stranded == null ? 0 : stranded.size());
            throw e;
        }
    }

    private void drain(String key) {
        Queue<Runnable> queue = queues.get(key);
        for (int ran = 0; ran < tasksPerTurn; ran++) {
            Runnable task = queue.poll();
            if (task == null) {
                if (doneWith(key)) {
                    return;
                }
                task = queue.poll();
            }
            try {
                task.run();
            } catch (Throwable e) {
                // whatever a task throws, the key's later tasks must still run, or that socket is stuck for good
                log.error("Task for {} failed", key, e);
            }
        }
        if (!doneWith(key)) {
            // the queue stays in the map meanwhile: what comes for the key is added to it, for the next turn to run
            NEXT_TURN.execute(() -> {
                try {
                    drainLater(key);
                } catch (RejectedExecutionException e) {
                    // logged with what was dropped; there is no caller to tell
                }
            });
        }
    }

    /** Forgets the key when its queue is empty (inside compute, as adds are: no task is stranded). */
    private boolean doneWith(String key) {
        return queues.computeIfPresent(key, (k, q) -> q.isEmpty() ? null : q) == null;
    }

    /** Keys with queued or running work. */
    public int activeKeys() {
        return queues.size();
    }
}
