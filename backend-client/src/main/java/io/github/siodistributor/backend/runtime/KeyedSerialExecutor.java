package io.github.siodistributor.backend.runtime;

import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks on a shared executor, one at a time and in submission order per key, while different
 * keys run in parallel. A key holds memory only while it has work queued.
 *
 * <p>Keys with work wait in one line ({@code ready}); a drainer on the executor takes the first, runs a turn of its
 * tasks and, while others wait in the line, puts the key back at its end and takes the next: a key whose tasks keep
 * coming (a client sending a little faster than its handler runs) would otherwise keep a pool thread for good, and
 * with as many such keys as threads every other key would wait for them. With nobody waiting, a drainer goes on with
 * its key. The order comes from this line, not from the executor's: a fork/join pool runs what its own thread
 * submits before anything submitted from outside.
 */
public final class KeyedSerialExecutor {

    /** Tasks of one key run in a row before the next key waiting in line gets its turn. */
    public static final int TASKS_PER_TURN = 16;

    private static final Logger log = LoggerFactory.getLogger(KeyedSerialExecutor.class);

    private final Executor executor;
    private final int tasksPerTurn;
    private final ConcurrentHashMap<String, Queue<Runnable>> queues = new ConcurrentHashMap<>();
    /** Keys with work that no drainer holds: each has a drainer submitted for it, or one that will come back. */
    private final Queue<String> ready = new ConcurrentLinkedQueue<>();

    public KeyedSerialExecutor(Executor executor) {
        this(executor, TASKS_PER_TURN);
    }

    /**
     * With {@code tasksPerTurn} tasks of a key in a row: {@link Integer#MAX_VALUE} for an executor that runs a task
     * on the submitting thread, where there is no one else's turn to wait for.
     */
    public KeyedSerialExecutor(Executor executor, int tasksPerTurn) {
        if (tasksPerTurn < 1) {
            throw new IllegalArgumentException("tasksPerTurn must be at least 1, got " + tasksPerTurn);
        }
        this.executor = executor;
        this.tasksPerTurn = tasksPerTurn;
    }

    /**
     * Queues {@code task} behind the key's earlier ones.
     *
     * @throws RejectedExecutionException when the executor refuses the key's drainer (the task is dropped)
     */
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
            ready.add(key);
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException e) {
                // taken from the line by a drainer meanwhile, it runs; otherwise no drainer would come for it, and
                // without the queue gone every later task of the key would wait behind it
                if (ready.remove(key)) {
                    Queue<Runnable> stranded = queues.remove(key);
                    log.error("The executor refused the work of {} ({}): {} task(s) dropped", key, e.getMessage(),
                            stranded == null ? 0 : stranded.size());
                    throw e;
                }
            }
        }
    }

    /** Runs the first key in line, turn by turn, and the next ones while any wait; then returns the thread. */
    private void drain() {
        String key = ready.poll();
        while (key != null) {
            if (!turn(key)) {
                key = ready.poll();
            } else if (!ready.isEmpty()) {
                ready.add(key);
                key = ready.poll();
            }
        }
    }

    /** Runs up to a turn of the key's tasks; whether it has more (it stays the drainer's, which holds it). */
    private boolean turn(String key) {
        Queue<Runnable> queue = queues.get(key);
        for (int ran = 0; ran < tasksPerTurn; ran++) {
            Runnable task = queue.poll();
            if (task == null) {
                if (doneWith(key)) {
                    return false;
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
        return !doneWith(key);
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
