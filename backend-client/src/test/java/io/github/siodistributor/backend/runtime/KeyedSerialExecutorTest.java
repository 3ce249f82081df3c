package io.github.siodistributor.backend.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KeyedSerialExecutorTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private ExecutorService pool;
    private KeyedSerialExecutor executor;

    @BeforeEach
    void createExecutor() {
        pool = Executors.newFixedThreadPool(4);
        executor = new KeyedSerialExecutor(pool);
    }

    @AfterEach
    void shutDown() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** What ran, in the order it ran: submitter and that submitter's sequence number. */
    private record Run(int submitter, int sequence) {
    }

    @Test
    void runsEachKeysTasksOneAtATimeInSubmissionOrder() throws Exception {
        int keys = 50;
        int tasksPerKey = 200;
        int submitters = 4;
        int perSubmitter = tasksPerKey / submitters;
        Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
        Map<String, Queue<Run>> runs = new ConcurrentHashMap<>();
        for (int k = 0; k < keys; k++) {
            inFlight.put("key-" + k, new AtomicInteger());
            runs.put("key-" + k, new ConcurrentLinkedQueue<>());
        }
        AtomicInteger overlaps = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(keys * tasksPerKey);
        CountDownLatch go = new CountDownLatch(1);

        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < submitters; s++) {
            int submitter = s;
            Thread thread = new Thread(() -> {
                try {
                    go.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int sequence = 0; sequence < perSubmitter; sequence++) {
                    for (int k = 0; k < keys; k++) {
                        String key = "key-" + k;
                        Run run = new Run(submitter, sequence);
                        executor.execute(key, () -> {
                            if (inFlight.get(key).incrementAndGet() != 1) {
                                overlaps.incrementAndGet();
                            }
                            runs.get(key).add(run);
                            // a little work so that tasks of one key could overlap if they were allowed to
                            Thread.onSpinWait();
                            inFlight.get(key).decrementAndGet();
                            done.countDown();
                        });
                    }
                }
            }, "submitter-" + s);
            threads.add(thread);
            thread.start();
        }
        go.countDown();
        for (Thread thread : threads) {
            thread.join(TIMEOUT.toMillis());
            assertThat(thread.isAlive()).isFalse();
        }

        assertThat(done.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("all tasks ran").isTrue();
        assertThat(overlaps).as("tasks of one key that ran concurrently").hasValue(0);
        for (int k = 0; k < keys; k++) {
            List<Run> ran = new ArrayList<>(runs.get("key-" + k));
            assertThat(ran).hasSize(tasksPerKey);
            for (int s = 0; s < submitters; s++) {
                int submitter = s;
                assertThat(ran.stream().filter(r -> r.submitter() == submitter).map(Run::sequence))
                        .as("order of submitter %d's tasks for key-%d", s, k)
                        .isSorted().hasSize(perSubmitter).doesNotHaveDuplicates();
            }
        }
        await().atMost(TIMEOUT).until(() -> executor.activeKeys() == 0);
    }

    @Test
    void runsDifferentKeysInParallel() throws Exception {
        CountDownLatch bothRunning = new CountDownLatch(2);
        List<Boolean> sawTheOther = new ArrayList<>();
        CountDownLatch finished = new CountDownLatch(2);
        for (String key : List.of("a", "b")) {
            executor.execute(key, () -> {
                bothRunning.countDown();
                try {
                    boolean other = bothRunning.await(10, TimeUnit.SECONDS);
                    synchronized (sawTheOther) {
                        sawTheOther.add(other);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    finished.countDown();
                }
            });
        }

        assertThat(finished.await(30, TimeUnit.SECONDS)).isTrue();
        synchronized (sawTheOther) {
            assertThat(sawTheOther).containsExactly(true, true);
        }
    }

    @Test
    void aKeyWaitsForItsRunningTaskWhileOtherKeysProceed() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch firstStarted = new CountDownLatch(1);
        List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();
        executor.execute("slow", () -> {
            firstStarted.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            order.add("slow-1");
        });
        assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
        executor.execute("slow", () -> order.add("slow-2"));
        CountDownLatch fastDone = new CountDownLatch(1);
        executor.execute("fast", () -> {
            order.add("fast");
            fastDone.countDown();
        });

        assertThat(fastDone.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(order).containsExactly("fast");
        // "fast" is gone once its drainer finished; "slow" stays while it has work
        await().atMost(TIMEOUT).until(() -> executor.activeKeys() == 1);

        release.countDown();
        await().atMost(TIMEOUT).until(() -> order.size() == 3);
        assertThat(order).containsExactly("fast", "slow-1", "slow-2");
        await().atMost(TIMEOUT).until(() -> executor.activeKeys() == 0);
    }

    @Test
    void aThrowingTaskDoesNotStopTheLaterTasksOfItsKey() throws Exception {
        List<Integer> ran = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch last = new CountDownLatch(1);

        executor.execute("k", () -> ran.add(1));
        executor.execute("k", () -> {
            throw new IllegalStateException("task failure (expected by the test)");
        });
        executor.execute("k", () -> ran.add(3));
        executor.execute("k", () -> {
            ran.add(4);
            last.countDown();
        });

        assertThat(last.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).containsExactly(1, 3, 4);
        await().atMost(TIMEOUT).until(() -> executor.activeKeys() == 0);
    }

    @Test
    void aTaskThrowingAnErrorDoesNotStrandTheLaterTasksOfItsKey() throws Exception {
        CountDownLatch later = new CountDownLatch(1);

        executor.execute("k", () -> {
            throw new AssertionError("task error (expected by the test)");
        });
        executor.execute("k", later::countDown);

        assertThat(later.await(5, TimeUnit.SECONDS)).as("the task after the failing one ran").isTrue();
        await().atMost(TIMEOUT).until(() -> executor.activeKeys() == 0);
        CountDownLatch afterwards = new CountDownLatch(1);
        executor.execute("k", afterwards::countDown);
        assertThat(afterwards.await(10, TimeUnit.SECONDS)).as("the key accepts work again").isTrue();
    }

    @Test
    void keysHoldNothingOnceIdleAndComeBackWhenUsedAgain() throws Exception {
        assertThat(executor.activeKeys()).isZero();
        for (int round = 0; round < 3; round++) {
            CountDownLatch ran = new CountDownLatch(10);
            for (int k = 0; k < 10; k++) {
                executor.execute("key-" + k, ran::countDown);
            }
            assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
            await().atMost(TIMEOUT).until(() -> executor.activeKeys() == 0);
        }
    }

    @Test
    void aKeyWhoseWorkTheExecutorRefusedTakesWorkAgain() throws Exception {
        AtomicInteger refusals = new AtomicInteger(1);
        KeyedSerialExecutor refusingOnce = new KeyedSerialExecutor(task -> {
            if (refusals.getAndDecrement() > 0) {
                throw new RejectedExecutionException("full");
            }
            pool.execute(task);
        });
        assertThatThrownBy(() -> refusingOnce.execute("k", () -> { })).isInstanceOf(RejectedExecutionException.class);
        assertThat(refusingOnce.activeKeys()).as("the refused work is not kept").isZero();

        CountDownLatch ran = new CountDownLatch(1);
        refusingOnce.execute("k", ran::countDown);
        assertThat(ran.await(10, TimeUnit.SECONDS)).as("the key's next task runs").isTrue();
    }

    @Test
    void aTaskMaySubmitMoreWorkForItsOwnKey() throws Exception {
        List<Integer> ran = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        executor.execute("k", () -> {
            ran.add(1);
            executor.execute("k", () -> {
                ran.add(3);
                done.countDown();
            });
            ran.add(2);
        });

        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).containsExactly(1, 2, 3);
    }

    /**
     * A key whose tasks keep coming (a client sending a little faster than its handler runs) gives the thread up after
     * a turn: another key's task, submitted meanwhile, runs before the busy key's queue runs dry. On a fork/join pool
     * in async mode, the handler pool's kind, which runs what its own thread submits before anything else.
     */
    @Test
    void aKeyWhoseTasksKeepComingLetsTheOtherKeysTakeTheirTurn() throws Exception {
        ForkJoinPool oneThread = new ForkJoinPool(1, ForkJoinPool.defaultForkJoinWorkerThreadFactory, null, true);
        try {
            KeyedSerialExecutor fair = new KeyedSerialExecutor(oneThread);
            int busyTasks = 10_000;
            AtomicInteger busyRan = new AtomicInteger();
            AtomicInteger busyRanBeforeQuiet = new AtomicInteger(-1);
            CountDownLatch quietQueued = new CountDownLatch(1);
            CountDownLatch busyDone = new CountDownLatch(1);
            Runnable busy = new Runnable() {
                @Override
                public void run() {
                    awaitUninterruptibly(quietQueued);
                    // each task is followed by the next, as events arrive while the handler runs
                    if (busyRan.incrementAndGet() < busyTasks) {
                        fair.execute("busy", this);
                    } else {
                        busyDone.countDown();
                    }
                }
            };
            fair.execute("busy", busy);
            fair.execute("quiet", () -> busyRanBeforeQuiet.set(busyRan.get()));
            quietQueued.countDown();

            assertThat(busyDone.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            await().atMost(TIMEOUT).until(() -> busyRanBeforeQuiet.get() >= 0);
            assertThat(busyRanBeforeQuiet.get()).as("busy tasks run before the quiet key's one")
                    .isLessThan(busyTasks);
        } finally {
            oneThread.shutdownNow();
        }
    }

    /**
     * A bounded executor that fills up while a key's tasks run (other sockets' work): what the key accepted still runs,
     * all of it; only a new key's first task can be refused, and its caller is told.
     */
    @Test
    void whatAKeyAcceptedRunsEvenWhenTheExecutorRefusesLater() {
        AtomicBoolean full = new AtomicBoolean();
        KeyedSerialExecutor bounded = new KeyedSerialExecutor(task -> {
            if (full.get()) {
                throw new RejectedExecutionException("queue full");
            }
            pool.execute(task);
        });
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        bounded.execute("busy", () -> awaitUninterruptibly(release));
        int tasks = 3 * KeyedSerialExecutor.TASKS_PER_TURN;
        for (int i = 1; i <= tasks; i++) {
            int n = i;
            bounded.execute("busy", () -> {
                if (n == KeyedSerialExecutor.TASKS_PER_TURN) {
                    full.set(true);
                }
                ran.incrementAndGet();
            });
        }
        release.countDown();

        await().atMost(TIMEOUT).until(() -> bounded.activeKeys() == 0);
        assertThat(ran).hasValue(tasks);
        assertThatThrownBy(() -> bounded.execute("new", () -> { })).isInstanceOf(RejectedExecutionException.class);
        assertThat(bounded.activeKeys()).isZero();
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
