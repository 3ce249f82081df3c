package io.github.siodistributor.backend.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The calls of a non-blocking namespace: on the calling thread, unable to wait for a result of the distributor that
 * is not in yet (it would reach the backend on that same thread), free to read one that is, and timed.
 */
class NonBlockingDispatchTest {

    private final NonBlockingDispatch fast = new NonBlockingDispatch("/fast");

    @Test
    void runsEachCallOnTheThreadThatHandsItOver() {
        AtomicReference<Thread> ran = new AtomicReference<>();
        fast.execute(() -> ran.set(Thread.currentThread()));
        assertThat(ran.get()).isSameAs(Thread.currentThread());
    }

    @Test
    void twoThreadsNeverRunNonBlockingCallsAtOnceWhateverTheirNamespaces() throws Exception {
        NonBlockingDispatch other = new NonBlockingDispatch("/other");
        AtomicInteger running = new AtomicInteger();
        CountDownLatch firstRuns = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        AtomicInteger seenBySecond = new AtomicInteger(-1);
        Thread first = new Thread(() -> fast.execute(() -> {
            running.incrementAndGet();
            firstRuns.countDown();
            try {
                releaseFirst.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            running.decrementAndGet();
        }));
        // as the worker watch's thread runs a lost worker's disconnects while the Redis thread runs an event
        Thread second = new Thread(() -> other.execute(() -> seenBySecond.set(running.get())));
        first.start();
        assertThat(firstRuns.await(10, TimeUnit.SECONDS)).isTrue();
        second.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> seenBySecond.get() >= 0
                || second.getState() == Thread.State.WAITING);
        releaseFirst.countDown();
        first.join(10_000);
        second.join(10_000);

        assertThat(seenBySecond.get()).as("calls running when the second began").isZero();
    }

    @Test
    void aWaitForAResultNotInYetFailsAtOnceNamingTheNamespace() {
        CompletableFuture<String> result = new WaitRefusingFuture<>(null);
        CompletableFuture<Integer> chained = result.thenApply(String::length);
        fast.execute(() -> {
            assertThatThrownBy(result::join).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("A handler of /fast, declared non-blocking")
                    .hasMessageContaining("chain on the future instead of join() or get()");
            assertThatThrownBy(result::get).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> result.get(1, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class);
            // stages chained on a result refuse too
            assertThatThrownBy(chained::join).isInstanceOf(IllegalStateException.class);
        });
    }

    @Test
    void aResultAlreadyInCanBeReadInACall() {
        CompletableFuture<String> result = new WaitRefusingFuture<>(null);
        result.complete("in");
        AtomicReference<String> read = new AtomicReference<>();
        fast.execute(() -> read.set(result.join()));
        assertThat(read.get()).isEqualTo("in");
    }

    @Test
    void outsideACallAWaitWaits() {
        CompletableFuture<String> result = new WaitRefusingFuture<>(null);
        assertThatThrownBy(() -> result.get(20, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
    }

    @Test
    void aNestedCallGivesTheThreadBackToTheOuterNamespaceAndThenToNone() {
        CompletableFuture<String> result = new WaitRefusingFuture<>(null);
        fast.execute(() -> {
            new NonBlockingDispatch("/inner").execute(() -> assertThatThrownBy(result::join)
                    .hasMessageContaining("A handler of /inner,"));
            assertThatThrownBy(result::join).hasMessageContaining("A handler of /fast,");
        });
        assertThatThrownBy(() -> result.get(20, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
    }

    @Test
    void callsThatHoldTheThreadLongerThanTheLimitAreCounted() {
        // the calls advance a clock of the test's own, so a busy machine cannot make a quick call slow
        AtomicLong now = new AtomicLong(1_000_000_000L);
        NonBlockingDispatch timed = new NonBlockingDispatch("/timed", now::get);
        long limit = TimeUnit.MILLISECONDS.toNanos(NonBlockingDispatch.SLOW_MILLIS);

        timed.execute(() -> { });
        timed.execute(() -> now.addAndGet(limit));
        assertThat(timed.slowCalls()).isZero();

        timed.execute(() -> now.addAndGet(limit + 1));
        assertThat(timed.slowCalls()).isEqualTo(1);
        // counted whether it returns or throws
        assertThatThrownBy(() -> timed.execute(() -> {
            now.addAndGet(limit * 10);
            throw new IllegalArgumentException("handler failed");
        })).hasMessage("handler failed");
        assertThat(timed.slowCalls()).isEqualTo(2);
    }

    @Test
    void aCallThatThrowsLeavesTheThreadUnmarked() {
        assertThatThrownBy(() -> fast.execute(() -> {
            throw new IllegalArgumentException("handler failed");
        })).hasMessage("handler failed");
        CompletableFuture<String> result = new WaitRefusingFuture<>(null);
        assertThatThrownBy(() -> result.get(20, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
    }
}
