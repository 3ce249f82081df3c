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
 */
public final class KeyedSerialExecutor {

    private static final Logger log = LoggerFactory.getLogger(KeyedSerialExecutor.class);

    private final Executor executor;
    private final ConcurrentHashMap<String, Queue<Runnable>> queues = new ConcurrentHashMap<>();

    public KeyedSerialExecutor(Executor executor) {
        this.executor = executor;
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
    }

    private void drain(String key) {
        Queue<Runnable> queue = queues.get(key);
        while (true) {
            Runnable task = queue.poll();
            if (task == null) {
                if (queues.computeIfPresent(key, (k, q) -> q.isEmpty() ? null : q) == null) {
                    return;
                }
                continue;
            }
            try {
                task.run();
            } catch (Throwable e) {
                // whatever a task throws, the key's later tasks must still run, or that socket is stuck for good
                log.error("Task for {} failed", key, e);
            }
        }
    }

    /** Keys with queued or running work. */
    public int activeKeys() {
        return queues.size();
    }
}
