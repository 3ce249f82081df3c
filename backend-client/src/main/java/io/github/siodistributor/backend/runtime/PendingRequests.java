package io.github.siodistributor.backend.runtime;

import io.github.siodistributor.core.protocol.Message.Reply;
import io.github.siodistributor.core.protocol.Message;
import io.github.siodistributor.core.protocol.WorkerRun;
import io.github.siodistributor.core.transport.DroppedMessages.Cause;
import io.github.siodistributor.core.transport.DroppedMessages;
import io.github.siodistributor.core.transport.MessageTooLargeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * This backend's requests that wait for answers on its reply channel (emits with ack, fetches,
 * server-side acks), by request id. Futures complete on the given executor, never on the Redis
 * delivery thread; an answer for a request that has finished (a late ack) is dropped and counted.
 */
final class PendingRequests implements AutoCloseable {

    private static final String CLOSED = "the backend closed";

    private final AtomicLong nextId = new AtomicLong();
    /** Set before the waiting requests fail at close: a request opened after it fails at once. */
    private volatile boolean closed;
    private final Map<Long, PendingRequest<?>> pending = new ConcurrentHashMap<>();
    /**
     * The emits with ack waiting without a timeout, by socket: only their socket's leaving ends them when the answer
     * that would fail them is lost (see {@link #socketLeft}). Indexed apart so that a disconnect looks at these only.
     */
    private final Map<String, Set<Long>> untimedBySocket = new ConcurrentHashMap<>();
    private final Executor completions;
    private final DroppedMessages dropped;
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, runnable -> {
        Thread thread = new Thread(runnable, "distributor-request-timeouts");
        thread.setDaemon(true);
        return thread;
    });

    PendingRequests(Executor completions, DroppedMessages dropped) {
        this.completions = completions;
        this.dropped = dropped;
        // an answered request's timeout task goes at once, not at its deadline with the request's whole result
        timer.setRemoveOnCancelPolicy(true);
    }

    /**
     * Opens a request: {@code publish} sends the message built with the request id and tells how many
     * receivers Redis reached; {@code timeout} (null for none) bounds the wait.
     */
    <T> CompletableFuture<T> open(PendingRequest<T> request, Duration timeout,
            java.util.function.LongFunction<CompletableFuture<Long>> publish) {
        long id = nextId.getAndIncrement();
        pending.put(id, request);
        ScheduledFuture<?> timeoutTask = null;
        try {
            if (closed) {
                throw new RejectedExecutionException(CLOSED);
            }
            if (timeout != null) {
                // saturated: a timeout past Long.MAX_VALUE ns (292 years) waits that long instead of overflowing
                timeoutTask = timer.schedule(() -> finish(id, () -> request.timedOut(timeout)),
                        TimeUnit.NANOSECONDS.convert(timeout), TimeUnit.NANOSECONDS);
            }
        } catch (RejectedExecutionException closing) {
            // opened at or after close: nothing would answer it, nor time it out; it fails as those waiting did
            pending.remove(id);
            request.result.completeExceptionally(request.unreachable(CLOSED));
            return request.result;
        }
        ScheduledFuture<?> scheduled = timeoutTask;
        String untimedSocket = timeout == null ? request.onlySocket() : null;
        if (untimedSocket != null) {
            // inside the map's operation: a removal that empties the set cannot drop it between the lookup and the add
            untimedBySocket.compute(untimedSocket, (socket, ids) -> {
                Set<Long> held = ids == null ? ConcurrentHashMap.newKeySet() : ids;
                held.add(id);
                return held;
            });
        }
        // however it ends (the caller's future is also the caller's to complete: orTimeout, cancel), a request that
        // ended waits here for no answer, and its timeout goes
        request.result.whenComplete((value, failure) -> {
            pending.remove(id, request);
            if (scheduled != null) {
                scheduled.cancel(false);
            }
            if (untimedSocket != null) {
                untimedBySocket.computeIfPresent(untimedSocket, (socket, ids) -> {
                    ids.remove(id);
                    return ids.isEmpty() ? null : ids;
                });
            }
        });
        CompletableFuture<Long> published;
        try {
            published = publish.apply(id);
        } catch (RuntimeException e) {
            // thrown to the caller, whose future it never gets: ended here, which also forgets it everywhere
            request.result.completeExceptionally(e);
            throw e;
        }
        published.whenComplete((receivers, failure) -> {
            // a publish chained further (thenApply) fails with its failure wrapped
            Throwable cause = failure instanceof CompletionException wrapped && wrapped.getCause() != null
                    ? wrapped.getCause() : failure;
            if (cause instanceof MessageTooLargeException tooLarge) {
                // the caller's own error, which it is told as it is
                finish(id, () -> tooLarge);
            } else if (failure != null) {
                finish(id, () -> request.unreachable("Redis did not take the request: " + failure));
            } else {
                receivers(id, request, receivers);
            }
        });
        return request.result;
    }

    private void receivers(long id, PendingRequest<?> request, long receivers) {
        boolean complete;
        synchronized (request) {
            request.receivers(receivers);
            complete = request.complete();
        }
        if (complete) {
            finishWithValue(id, request);
        } else if (receivers == 0) {
            finish(id, () -> request.unreachable("no receiver is subscribed: nobody listens on the channel"));
        }
    }

    /** An answer from the reply channel (on the Redis delivery thread). */
    void onReply(String channel, Message message) {
        if (!(message instanceof Reply reply)) {
            dropped.record(Cause.MISROUTED, channel, message.getClass().getSimpleName() + " is not a reply");
            return;
        }
        PendingRequest<?> request = pending.get(reply.requestId());
        if (request == null) {
            boolean late = reply.requestId() >= 0 && reply.requestId() < nextId.get();
            dropped.record(late ? Cause.LATE_REPLY : Cause.MISROUTED, channel, reply.getClass().getSimpleName()
                    + " for request " + reply.requestId() + (late ? ", which has finished" : ", never made here"));
            return;
        }
        boolean taken;
        synchronized (request) {
            if (!request.firstFrom(reply)) {
                dropped.record(Cause.DUPLICATE_REPLY, channel, reply.getClass().getSimpleName() + " of "
                        + reply.responderId() + " for request " + reply.requestId() + ", which has it already");
                return;
            }
            taken = request.take(reply);
        }
        if (!taken) {
            dropped.record(Cause.MISROUTED, channel, reply.getClass().getSimpleName() + " does not answer request "
                    + reply.requestId());
            return;
        }
        settleIfComplete(reply.requestId(), request);
    }

    private void settleIfComplete(long id, PendingRequest<?> request) {
        boolean complete;
        synchronized (request) {
            complete = request.complete();
        }
        if (complete) {
            finishWithValue(id, request);
        }
    }

    private <T> void finishWithValue(long id, PendingRequest<T> request) {
        if (pending.remove(id, request)) {
            T value;
            try {
                synchronized (request) {
                    value = request.value();
                }
            } catch (RuntimeException failure) {
                complete(() -> request.result.completeExceptionally(failure));
                return;
            }
            complete(() -> request.result.complete(value));
        }
    }

    private void finish(long id, Supplier<Throwable> failure) {
        PendingRequest<?> request = pending.remove(id);
        if (request != null) {
            Throwable error;
            synchronized (request) {
                error = failure.get();
            }
            complete(() -> request.result.completeExceptionally(error));
        }
    }

    /** Adds the worker runs that alone can answer a waiting request: watched like those holding sockets. */
    void addAwaitedRuns(Set<WorkerRun> runs) {
        for (PendingRequest<?> request : pending.values()) {
            WorkerRun run = request.onlyRun();
            if (run != null) {
                runs.add(run);
            }
        }
    }

    /** Completes on the executor; on this thread once the executor is shut down (the backend closed meanwhile). */
    private void complete(Runnable completion) {
        try {
            completions.execute(completion);
        } catch (RejectedExecutionException e) {
            completion.run();
        }
    }

    /**
     * Fails the emits with ack to {@code socketId} that wait without a timeout: the socket left, so no answer will
     * come. Its worker fails them itself before it reports the leaving, but that message may be lost (a Redis
     * reconnect of this backend's subscription), and nothing else would ever end them.
     */
    void socketLeft(String socketId, String why) {
        Set<Long> ids = untimedBySocket.remove(socketId);
        if (ids != null) {
            for (Long id : ids) {
                PendingRequest<?> request = pending.get(id);
                if (request != null) {
                    finish(id, () -> request.unreachable(why));
                }
            }
        }
    }

    /** Fails the requests that only {@code run} could answer: it is lost, so no answer will come. */
    void runLost(WorkerRun run, String why) {
        for (Map.Entry<Long, PendingRequest<?>> entry : List.copyOf(pending.entrySet())) {
            if (run.equals(entry.getValue().onlyRun())) {
                finish(entry.getKey(), () -> entry.getValue().unreachable(why));
            }
        }
    }

    /** Fails every waiting request, on the calling thread (the executor may be shut down): nothing will answer. */
    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        for (Long id : List.copyOf(pending.keySet())) {
            PendingRequest<?> request = pending.remove(id);
            if (request != null) {
                request.result.completeExceptionally(request.unreachable(CLOSED));
            }
        }
    }
}
