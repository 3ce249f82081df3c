package io.github.siodistributor.core.transport;

import io.github.siodistributor.core.transport.DroppedMessages.Cause;
import io.github.siodistributor.core.transport.PublishState.Phase;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands a bus's publishes to Lettuce, and decides what becomes of them while Redis cannot be reached.
 *
 * <p>Lettuce on its own queues every command while it reconnects, without a bound, and sends them again the
 * moment its connection is back, when the other processes may not have resubscribed yet: PUBLISH then reaches
 * nobody and the message is gone. So while the connection is down, publishes are held here (or refused, per
 * the {@link OutagePolicy}) up to a count and a byte limit. Once it is up again, the line goes out in order, and during
 * the resubscribe grace a publish that reached no subscriber (held here, or replayed by Lettuce) goes back to
 * the front of the line and is sent again before anything behind it. A channel that has reached a subscriber
 * since the reconnect is trusted from then on, so the replay is pipelined. One subscriber back is not all of
 * them, though: a publish that reached one of two workers could not be sent again without reaching that one
 * twice. So the head of a channel that had several receivers before the outage goes out only once Redis counts
 * as many subscribers on it again ({@code PUBSUB NUMSUB}, asked during the recovery only), or the grace ends.
 *
 * <p>Held publishes and those Lettuce has not answered yet never exceed the limits together: beyond them a
 * publish fails at once and is counted: {@link Cause#REDIS_UNAVAILABLE} in an outage, {@link Cause#REDIS_BACKLOG}
 * while the connection is up (Redis or this process cannot keep up, which is no outage).
 *
 * <p>Lettuce callbacks never take this object's lock: they run on Lettuce's event loops, which may be
 * holding Lettuce's own locks, so anything that needs the lock goes through the timer thread.
 */
final class OutagePublisher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OutagePublisher.class);
    /** How often the connection state is looked at, and how soon a publish that reached nobody goes out again. */
    private static final long TICK_MILLIS = 100;
    private static final int RECEIVER_COUNTS_KEPT = 10_000;

    private final RedisClusterAsyncCommands<byte[], byte[]> commands;
    private final BooleanSupplier connected;
    private final OutageSettings settings;
    private final DroppedMessages dropped;
    private final ScheduledExecutorService timer;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** The bytes of the publishes taken and not yet ended (held, or waiting for Redis's answer). */
    private final AtomicLong bytes = new AtomicLong();
    /** Disconnects Lettuce reported: a drop and reconnect between two looks at the connection is still seen. */
    private final AtomicLong disconnects = new AtomicLong();
    /** Read without the lock by Lettuce callbacks: whether a publish that reached nobody should be kept. */
    private volatile Phase phase = Phase.CONNECTED;
    /**
     * The receivers of each channel's last publish while connected: how many subscribers to wait for after an
     * outage. Written only when the count changes; forgotten whole past {@value #RECEIVER_COUNTS_KEPT} channels
     * (a channel then counts as one that had a single receiver).
     */
    private final Map<String, Long> lastReceivers = new ConcurrentHashMap<>();

    // guarded by this
    private final LinkedList<Held> line = new LinkedList<>();
    /** How many publishes went back to the front of the line since it was last taken from: they keep their order. */
    private int putBack;
    /** The head of the line, sent alone: its receiver count decides whether it goes again. */
    private Held awaited;
    private long seenDisconnects;
    private long graceEndsAt;
    /** Whether what Lettuce sent again on reconnecting has been answered, before the line starts going out. */
    private boolean replayAnswered;
    /** Channels that reached a subscriber since Redis came back. */
    private final Set<String> confirmed = new HashSet<>();
    /** The next flush and when it is due: one asked for sooner takes its place. */
    private ScheduledFuture<?> flushTask;
    private long flushDueAt;
    private long refusedInOutage;
    private long replayedInOutage;
    private boolean closed;
    /** The publish sent last: Redis answers one connection's commands in order, so the others are answered first. */
    private CompletableFuture<Long> lastSent = CompletableFuture.completedFuture(0L);

    private record Held(String channel, byte[] body, CompletableFuture<Long> result) {
    }

    /**
     * @param connected whether Lettuce's publishing connection is up right now (it reconnects by itself)
     */
    OutagePublisher(RedisClusterAsyncCommands<byte[], byte[]> commands, BooleanSupplier connected,
            OutageSettings settings, DroppedMessages dropped, String name) {
        this.commands = commands;
        this.connected = connected;
        this.settings = settings;
        this.dropped = dropped;
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "distributor-publisher-" + name);
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Publishes, holds or refuses; never blocks. */
    CompletableFuture<Long> publish(String channel, byte[] body) {
        CompletableFuture<Long> result = new CompletableFuture<>();
        Refusal refusal;
        synchronized (this) {
            refusal = admit(new Held(channel, body, result));
            if (refusal != null && refusal.cause() == Cause.REDIS_UNAVAILABLE) {
                refusedInOutage++;
            }
        }
        if (refusal != null) {
            refuse(channel, refusal, result);
        }
        return result;
    }

    /** Why a publish was not taken, and how it is counted. */
    private record Refusal(Cause cause, String why) {

        static Refusal outage(String why) {
            return new Refusal(Cause.REDIS_UNAVAILABLE, why);
        }
    }

    /** Publishes now or fails at once, bypassing the line: for the bus's own probes, which must not wait. */
    CompletableFuture<Long> publishNow(String channel, byte[] body) {
        if (!connected.getAsBoolean()) {
            return CompletableFuture.failedFuture(new RedisUnavailableException("no connection to Redis"));
        }
        return commands.publish(channel.getBytes(StandardCharsets.UTF_8), body).toCompletableFuture();
    }

    boolean isConnected() {
        return connected.getAsBoolean();
    }

    /** Lettuce lost the publishing connection (on a Lettuce thread). */
    void connectionLost() {
        disconnects.incrementAndGet();
        execute(this::tick, () -> { });
    }

    /** Lettuce connected again (on a Lettuce thread). */
    void connectionRestored() {
        execute(this::tick, () -> { });
    }

    synchronized PublishState state() {
        return new PublishState(closed ? Phase.STOPPED : phase, line.size() + (awaited == null ? 0 : 1));
    }

    /** Sends, holds, or says why not. */
    private Refusal admit(Held publish) {
        if (closed) {
            return Refusal.outage("the message bus is stopped");
        }
        followConnection();
        int limit = settings.limit();
        long byteLimit = settings.byteLimit();
        int size = publish.body().length;
        boolean lineEmpty = line.isEmpty() && awaited == null;
        if (phase == Phase.CONNECTED
                || (phase == Phase.RECOVERING && lineEmpty && confirmed.contains(publish.channel()))) {
            // the connection is up: not an outage, but a Redis (or a process) that cannot keep up
            if (inFlight.get() >= limit) {
                return new Refusal(Cause.REDIS_BACKLOG, "Redis has not answered the last " + limit + " publishes yet "
                        + "although connected (limit " + limit + ", distributor.redis.outage.buffer-limit): this "
                        + "process or Redis cannot keep up");
            }
            if (overBudget(size)) {
                return new Refusal(Cause.REDIS_BACKLOG, "Redis has not answered publishes of " + bytes.get()
                        + " bytes yet although connected, and this one has " + size + " (limit " + byteLimit
                        + " bytes, distributor.redis.outage.buffer-size): this process or Redis cannot keep up");
            }
            bytes.addAndGet(size);
            send(publish);
            return null;
        }
        if (phase == Phase.OUTAGE && settings.policy() == OutagePolicy.REJECT) {
            return Refusal.outage("Redis is unreachable (outage policy: reject)");
        }
        if (line.size() + inFlight.get() >= limit) {
            return Refusal.outage("Redis is unreachable and the outage buffer is full (limit " + limit + ")");
        }
        if (overBudget(size)) {
            return Refusal.outage("Redis is unreachable and the outage buffer holds " + bytes.get() + " bytes, with no "
                    + "room for " + size + " more (limit " + byteLimit + " bytes, distributor.redis.outage.buffer-size)");
        }
        bytes.addAndGet(size);
        line.add(publish);
        if (phase == Phase.RECOVERING) {
            scheduleFlush(0);
        }
        return null;
    }

    /** Over the byte budget; a message larger than the whole budget still goes when nothing else is taken. */
    private boolean overBudget(int size) {
        long taken = bytes.get();
        return taken > 0 && taken + size > settings.byteLimit();
    }

    /** Hands {@code publish} to Lettuce, counted in flight and remembered as the last one sent (under the lock). */
    private CompletableFuture<Long> sendToRedis(Held publish) {
        inFlight.incrementAndGet();
        CompletableFuture<Long> sent = commands.publish(publish.channel().getBytes(StandardCharsets.UTF_8),
                publish.body()).toCompletableFuture();
        lastSent = sent;
        return sent;
    }

    private void send(Held publish) {
        sendToRedis(publish).whenComplete(
                (receivers, failure) -> {
                    if (failure == null ? receivers == 0 && keepsUnheard() : keepsBroken(failure)) {
                        // Lettuce sent it again on reconnecting, or it went out just before the subscribers were
                        // gone, or the connection broke under it: back in line, counted in flight until it is
                        execute(() -> putBack(publish, failure == null), () -> {
                            // closed meanwhile: it ends here, counted like any publish that did not go out
                            inFlight.decrementAndGet();
                            if (failure == null) {
                                complete(publish, receivers);
                            } else {
                                dropped.record(Cause.REDIS_UNAVAILABLE, publish.channel(), "publish failed: "
                                        + failure);
                                fail(publish, failure);
                            }
                        });
                        return;
                    }
                    inFlight.decrementAndGet();
                    if (failure != null) {
                        dropped.record(Cause.REDIS_UNAVAILABLE, publish.channel(), "publish failed: " + failure);
                        fail(publish, failure);
                    } else {
                        rememberReceivers(publish.channel(), receivers);
                        complete(publish, receivers);
                    }
                });
    }

    private void rememberReceivers(String channel, long receivers) {
        if (phase != Phase.CONNECTED || receivers == 0) {
            return; // during a recovery the counts are what is being waited for, not what to wait for
        }
        Long known = lastReceivers.get(channel);
        if (known == null || known != receivers) {
            if (known == null && lastReceivers.size() >= RECEIVER_COUNTS_KEPT) {
                lastReceivers.clear();
            }
            lastReceivers.put(channel, receivers);
        }
    }

    private boolean keepsUnheard() {
        return settings.policy() == OutagePolicy.BUFFER && phase != Phase.CONNECTED;
    }

    /**
     * Whether a failed publish is held for another try: with the buffer policy, when the connection failed under
     * it (reset, closed). Not when Redis answered with an error or did not answer in time: it may have run it.
     */
    private boolean keepsBroken(Throwable failure) {
        return settings.policy() == OutagePolicy.BUFFER && isConnectionFailure(failure);
    }

    static boolean isConnectionFailure(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                : failure;
        return !(cause instanceof RedisCommandExecutionException) && !(cause instanceof RedisCommandTimeoutException)
                && !(cause instanceof RedisUnavailableException);
    }

    /** {@code unheard}: Redis answered that nobody received it (else the connection broke under it). */
    private void putBack(Held publish, boolean unheard) {
        Runnable completion = null;
        synchronized (this) {
            if (closed) {
                inFlight.decrementAndGet();
                completion = () -> abandon(publish, Refusal.outage("the message bus stopped"));
            } else if (unheard && phase == Phase.CONNECTED) {
                // the grace ended while the answer was on its way: nobody listening is an answer now, not a sign
                // that the connection broke (which would start a false outage and send it again behind newer ones)
                inFlight.decrementAndGet();
                completion = () -> complete(publish, 0L);
            } else {
                putBackIntoLine(publish);
            }
        }
        if (completion != null) {
            completion.run();
        }
    }

    private void putBackIntoLine(Held publish) {
        line.add(putBack++, publish);
        inFlight.decrementAndGet();
        if (phase == Phase.CONNECTED) {
            // the connection broke before anyone saw it: what follows must queue behind this one
            enterOutage();
            followConnection();
        }
        if (phase == Phase.RECOVERING) {
            scheduleFlush(0);
        }
    }

    /** Moves between the phases as the connection goes down and comes back. */
    private void followConnection() {
        boolean up = connected.getAsBoolean();
        if (phase != Phase.OUTAGE && (!up || disconnects.get() != seenDisconnects)) {
            enterOutage();
        } else if (phase == Phase.OUTAGE && up) {
            leaveOutage();
        }
    }

    private void enterOutage() {
        seenDisconnects = disconnects.get();
        if (phase == Phase.CONNECTED) {
            refusedInOutage = 0;
            replayedInOutage = 0;
            if (settings.policy() == OutagePolicy.BUFFER) {
                log.warn("Redis is unreachable: holding publishes (at most {}) until it is back", settings.limit());
            } else {
                log.warn("Redis is unreachable: refusing publishes until it is back (outage policy: reject)");
            }
        } else if (phase == Phase.RECOVERING) {
            // after "reachable again" (Lettuce may report its connection open for a moment after Redis went away):
            // the log must not leave the reader thinking Redis is back
            log.warn("Redis is unreachable again before the held publishes were replayed: holding them");
        }
        phase = Phase.OUTAGE;
    }

    private void leaveOutage() {
        // drops reported while the outage lasted are over: only a later one means another outage
        seenDisconnects = disconnects.get();
        if (settings.policy() == OutagePolicy.REJECT) {
            phase = Phase.CONNECTED;
            log.info("Redis is reachable again; {} publishes were refused during the outage", refusedInOutage);
            return;
        }
        phase = Phase.RECOVERING;
        graceEndsAt = System.nanoTime() + settings.resubscribeGrace().toNanos();
        replayAnswered = false;
        confirmed.clear();
        log.info("Redis is reachable again: replaying {} held publishes in order", line.size()
                + (awaited == null ? 0 : 1));
        scheduleFlush(0);
    }

    /**
     * Flushes after {@code delayNanos}, or sooner if a flush is due sooner already. A later one gives way: the
     * flush that waits for the end of the grace must not hold back a publish that can go out now.
     */
    private void scheduleFlush(long delayNanos) {
        if (closed) {
            return;
        }
        long dueAt = System.nanoTime() + delayNanos;
        if (flushTask != null) {
            if (dueAt - flushDueAt >= 0) {
                return;
            }
            flushTask.cancel(false);
        }
        flushDueAt = dueAt;
        flushTask = timer.schedule(this::flush, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void tick() {
        synchronized (this) {
            if (!closed) {
                followConnection();
            }
        }
    }

    /** Sends the line out: pipelined where the channel is confirmed, else its head alone (on the timer thread). */
    private void flush() {
        synchronized (this) {
            flushTask = null;
            if (closed || phase != Phase.RECOVERING || awaited != null) {
                return;
            }
            followConnection();
            if (phase != Phase.RECOVERING) {
                return;
            }
            if (!replayAnswered) {
                // what Lettuce replayed is older than the line: its answers may still put some of it back in front
                if (inFlight.get() > 0) {
                    scheduleFlush(TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS));
                    return;
                }
                replayAnswered = true;
            }
            long now = System.nanoTime();
            boolean graceOver = now - graceEndsAt >= 0;
            Held next;
            while ((next = line.peek()) != null && (graceOver || confirmed.contains(next.channel()))) {
                take();
                replayedInOutage++;
                send(next);
            }
            if (next != null) {
                awaited = take();
                sendAwaitedOnceSubscribed(awaited, graceOver);
            } else if (graceOver) {
                phase = Phase.CONNECTED;
                log.info("Redis publishing is back to normal: {} publishes were replayed (those held, and those "
                        + "sent while subscribers came back) and {} refused over the outage", replayedInOutage,
                        refusedInOutage);
            } else {
                // nothing waits, but publishes to channels not yet confirmed still queue until the grace ends
                scheduleFlush(graceEndsAt - now);
            }
        }
    }

    private Held take() {
        putBack = 0;
        return line.poll();
    }

    /**
     * Sends the head alone once Redis counts on its channel as many subscribers as its last publish before the
     * outage reached (the other processes resubscribe on their own schedule), or at once when it had one at most.
     */
    private void sendAwaitedOnceSubscribed(Held head, boolean graceOver) {
        Long expected = lastReceivers.get(head.channel());
        if (graceOver || expected == null || expected <= 1) {
            sendAwaited(head);
            return;
        }
        commands.pubsubNumsub(head.channel().getBytes(StandardCharsets.UTF_8)).whenComplete((counts, failure) ->
                execute(() -> onSubscribersCounted(head, expected, counts, failure), () -> { }));
    }

    private void onSubscribersCounted(Held head, long expected, Map<byte[], Long> counts, Throwable failure) {
        synchronized (this) {
            if (awaited != head) {
                return; // closed meanwhile: the close abandoned it
            }
            // keyed by the channel's bytes, which compare by identity: the one value is the channel's
            long subscribers = failure != null || counts == null || counts.isEmpty() ? 0
                    : counts.values().iterator().next();
            if (subscribers >= expected || System.nanoTime() - graceEndsAt >= 0) {
                sendAwaited(head);
                return;
            }
            awaited = null;
            line.add(putBack, head);
            if (failure != null) {
                followConnection();
            }
            scheduleFlush(TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS));
        }
    }

    private void sendAwaited(Held head) {
        sendToRedis(head).whenComplete(
                (receivers, failure) -> execute(() -> onAwaitedAnswer(head, receivers, failure), () -> {
                    // the close that stopped the timer abandoned the head, and gave its bytes back
                    inFlight.decrementAndGet();
                    head.result().completeExceptionally(new RedisUnavailableException("the message bus stopped"));
                }));
    }

    private void onAwaitedAnswer(Held head, Long receivers, Throwable failure) {
        Runnable completion = null;
        synchronized (this) {
            inFlight.decrementAndGet();
            if (awaited != head) {
                return;
            }
            awaited = null;
            boolean graceOver = System.nanoTime() - graceEndsAt >= 0;
            if (failure == null && (receivers > 0 || graceOver)) {
                if (receivers > 0) {
                    confirmed.add(head.channel());
                }
                replayedInOutage++;
                completion = () -> complete(head, receivers);
                scheduleFlush(0);
            } else if (failure == null) {
                // nobody listens yet (the other processes may still be reconnecting): again shortly, behind
                // anything older that was put back meanwhile
                line.add(putBack, head);
                scheduleFlush(TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS));
            } else if (connected.getAsBoolean() && !keepsBroken(failure)) {
                completion = () -> {
                    dropped.record(Cause.REDIS_UNAVAILABLE, head.channel(), "publish failed: " + failure);
                    fail(head, failure);
                };
                scheduleFlush(0);
            } else {
                line.add(putBack, head);
                followConnection();
                scheduleFlush(TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS));
            }
        }
        if (completion != null) {
            completion.run();
        }
    }

    private void refuse(String channel, Refusal refusal, CompletableFuture<Long> result) {
        dropped.record(refusal.cause(), channel, refusal.why());
        result.completeExceptionally(new RedisUnavailableException(refusal.why() + ": not published"));
    }

    // every publish taken ends in exactly one of these three, which give its bytes back to the budget

    private void complete(Held publish, long receivers) {
        bytes.addAndGet(-publish.body().length);
        publish.result().complete(receivers);
    }

    private void fail(Held publish, Throwable failure) {
        bytes.addAndGet(-publish.body().length);
        publish.result().completeExceptionally(failure);
    }

    private void abandon(Held publish, Refusal refusal) {
        bytes.addAndGet(-publish.body().length);
        refuse(publish.channel(), refusal, publish.result());
    }

    /** Runs {@code task} on the timer thread, or {@code ifClosed} when the timer is gone. */
    private void execute(Runnable task, Runnable ifClosed) {
        try {
            timer.execute(task);
        } catch (RejectedExecutionException e) {
            ifClosed.run();
        }
    }

    /**
     * Waits, at most {@code timeout}, until Redis has answered what was sent: a stop that closed the connection
     * under them would fail the last publishes of a process that stops on purpose (a backend's last release of a
     * socket, its handlers' last answers). Not while the connection is down: nothing would answer.
     */
    void awaitSent(Duration timeout) {
        CompletableFuture<Long> last;
        synchronized (this) {
            last = lastSent;
        }
        if (!connected.getAsBoolean()) {
            return;
        }
        try {
            last.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // failed or slow: counted where it ends, and the stop goes on
        }
    }

    /** Stops; whatever is still held fails, counted. */
    @Override
    public void close() {
        List<Held> abandoned = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            phase = Phase.STOPPED;
            if (awaited != null) {
                abandoned.add(awaited);
                awaited = null;
            }
            abandoned.addAll(line);
            line.clear();
            if (flushTask != null) {
                flushTask.cancel(false);
            }
        }
        // not shutdownNow: a put-back already queued must still run, to see the bus stopped and fail its publish
        timer.shutdown();
        for (Held each : abandoned) {
            abandon(each, Refusal.outage("the message bus stopped while Redis was unreachable"));
        }
    }
}
