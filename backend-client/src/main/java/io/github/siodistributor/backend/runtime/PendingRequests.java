package io.github.siodistributor.backend.runtime;

import io.github.siodistributor.core.protocol.Message.Reply;
import io.github.siodistributor.core.protocol.Message;
import io.github.siodistributor.core.transport.DroppedMessages.Cause;
import io.github.siodistributor.core.transport.DroppedMessages;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * This backend's requests that wait for answers on its reply channel (emits with ack, fetches,
 * server-side acks), by request id. Futures complete on the given executor, never on the Redis
 * delivery thread; an answer for a request that has finished (a late ack) is dropped and counted.
 */
final class PendingRequests implements AutoCloseable {

    private final AtomicLong nextId = new AtomicLong();
    private final Map<Long, PendingRequest<?>> pending = new ConcurrentHashMap<>();
    private final Executor completions;
    private final DroppedMessages dropped;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "distributor-request-timeouts");
        thread.setDaemon(true);
        return thread;
    });

    PendingRequests(Executor completions, DroppedMessages dropped) {
        this.completions = completions;
        this.dropped = dropped;
    }

    /**
     * Opens a request: {@code publish} sends the message built with the request id and tells how many
     * receivers Redis reached; {@code timeout} (null for none) bounds the wait.
     */
    <T> CompletableFuture<T> open(PendingRequest<T> request, Duration timeout,
            java.util.function.LongFunction<CompletableFuture<Long>> publish) {
        long id = nextId.getAndIncrement();
        pending.put(id, request);
        if (timeout != null) {
            var timeoutTask = timer.schedule(() -> finish(id, () -> request.timedOut(timeout)), timeout.toNanos(),
                    TimeUnit.NANOSECONDS);
            request.result.whenComplete((value, failure) -> timeoutTask.cancel(false));
        }
        CompletableFuture<Long> published;
        try {
            published = publish.apply(id);
        } catch (RuntimeException e) {
            pending.remove(id);
            throw e;
        }
        published.whenComplete((receivers, failure) -> {
            if (failure != null) {
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
            finish(id, () -> request.unreachable("no receiver is subscribed"));
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
                completions.execute(() -> request.result.completeExceptionally(failure));
                return;
            }
            completions.execute(() -> request.result.complete(value));
        }
    }

    private void finish(long id, Supplier<Throwable> failure) {
        PendingRequest<?> request = pending.remove(id);
        if (request != null) {
            Throwable error;
            synchronized (request) {
                error = failure.get();
            }
            completions.execute(() -> request.result.completeExceptionally(error));
        }
    }

    /** Fails the requests that only {@code workerId} could answer: it is lost, so no answer will come. */
    void workerLost(String workerId, String why) {
        for (Map.Entry<Long, PendingRequest<?>> entry : List.copyOf(pending.entrySet())) {
            if (entry.getValue().awaitsOnly(workerId)) {
                finish(entry.getKey(), () -> entry.getValue().unreachable(why));
            }
        }
    }

    /** Fails every waiting request, on the calling thread (the executor may be shut down): nothing will answer. */
    @Override
    public void close() {
        timer.shutdownNow();
        for (Long id : List.copyOf(pending.keySet())) {
            PendingRequest<?> request = pending.remove(id);
            if (request != null) {
                request.result.completeExceptionally(request.unreachable("the backend closed"));
            }
        }
    }
}
