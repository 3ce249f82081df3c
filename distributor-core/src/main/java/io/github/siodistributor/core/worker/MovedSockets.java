package io.github.siodistributor.core.worker;

import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.Message.ClientActivity;
import io.github.siodistributor.core.transport.MessageBus;
import io.github.siodistributor.core.worker.BackendInstances.Instance;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a backend instance the worker presumed dead (heartbeat expired) what became of each socket it had:
 * moved to another instance ({@code SocketMoved}), or disconnected for want of one. An instance that was
 * only paused or cut off from Redis would otherwise keep them for good: listed by its {@code sockets()},
 * their disconnect handlers never run, its own hand-over waiting its full timeout for them.
 *
 * <p>{@code PUBLISH} counting a subscriber does not prove the instance read it (Redis notices a partition
 * late, and drops a paused subscriber whose output buffer overflowed), so every move is kept and told once
 * more when the worker next finds the instance live, or when it announces its leaving; a move it did not
 * hear then is kept again. Telling twice costs nothing: the instance forgets only a socket it still holds
 * as it held it. A dead instance's id never comes back (each process start takes a new one), so its moves
 * are dropped after {@link #KEPT}; at most {@link #LIMIT} are kept at once.
 */
final class MovedSockets {

    /** How long a move waits for its instance to be live again. */
    static final Duration KEPT = Duration.ofMinutes(10);
    /** How many moves are kept at once, for every instance together (a backend in a crash loop moves many). */
    static final int LIMIT = 100_000;

    private static final Logger log = LoggerFactory.getLogger(MovedSockets.class);

    private final MessageBus bus;
    private final ChannelNames channels;
    private final long retryNanos;
    private final Map<Instance, Moves> kept = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicBoolean full = new AtomicBoolean();

    /**
     * What an instance was told of one socket. The socket itself only weakly: one that ended meanwhile must not
     * be kept for minutes with its session, and it can no longer move back to the instance either.
     */
    private record Move(ClientActivity message, WeakReference<WorkerSocket> socket, long sinceNanos) {
    }

    /** The moves kept for one instance. */
    private static final class Moves {
        /** When the first of them was told: the next telling waits the retry interval. */
        final long toldNanos = System.nanoTime();
        final Queue<Move> queue = new ConcurrentLinkedQueue<>();
    }

    MovedSockets(MessageBus bus, ChannelNames channels, Duration retry) {
        this.bus = bus;
        this.channels = channels;
        this.retryNanos = retry.toNanos();
    }

    /** Tells {@code previous} what became of the socket, and keeps it to tell again (on the socket's event loop). */
    void tell(Instance previous, WorkerSocket socket, ClientActivity message) {
        Move move = new Move(message, new WeakReference<>(socket), System.nanoTime());
        publish(previous, move, false);
        keep(previous, move);
    }

    private void publish(Instance instance, Move move, boolean keepIfUnheard) {
        bus.publish(channels.instance(instance.backendId()), move.message()).whenComplete((receivers, failure) -> {
            if (keepIfUnheard && (failure != null || receivers == 0)) {
                keep(instance, move);
            }
        });
    }

    private void keep(Instance instance, Move move) {
        if (size.incrementAndGet() > LIMIT) {
            size.decrementAndGet();
            if (full.compareAndSet(false, true)) {
                log.warn("{} moved sockets wait for their backend instances to be live again; more are not kept: "
                        + "an instance that was only paused may keep such sockets", LIMIT);
            }
            return;
        }
        // inside compute: a telling that takes the instance's moves away at the same time cannot lose this one
        kept.compute(instance, (key, moves) -> {
            Moves held = moves == null ? new Moves() : moves;
            held.queue.add(move);
            return held;
        });
    }

    /**
     * Tells live instances again, at most once per retry interval, and drops moves older than {@link #KEPT}
     * (on the worker's watch thread).
     */
    void retell(Predicate<Instance> live, long nowNanos) {
        kept.forEach((instance, moves) -> {
            if (nowNanos - moves.toldNanos >= retryNanos && live.test(instance)) {
                retellNow(instance);
            } else {
                dropExpired(instance, moves, nowNanos);
            }
        });
        if (size.get() < LIMIT) {
            full.set(false);
        }
    }

    /** Tells the instance again everything kept for it: it is live again, or leaving (and still listening). */
    void retellNow(Instance instance) {
        Moves moves = kept.remove(instance);
        if (moves == null) {
            return;
        }
        size.addAndGet(-moves.queue.size());
        for (Move move : moves.queue) {
            WorkerSocket socket = move.socket().get();
            if (socket == null) {
                publish(instance, move, true);
            } else {
                socket.session.execute(() -> {
                    // on the socket's event loop, where it moves: one that moved back there is its own again
                    if (!instance.backendId().equals(socket.backendId)) {
                        publish(instance, move, true);
                    }
                });
            }
        }
    }

    private void dropExpired(Instance instance, Moves moves, long nowNanos) {
        int dropped = 0;
        for (Iterator<Move> it = moves.queue.iterator(); it.hasNext(); ) {
            if (nowNanos - it.next().sinceNanos() > KEPT.toNanos()) {
                it.remove();
                dropped++;
            }
        }
        if (dropped > 0) {
            size.addAndGet(-dropped);
            log.debug("Backend instance {} of {} was not seen live within {} of losing {} sockets; it is no longer "
                    + "told", instance.backendId(), instance.spec(), KEPT, dropped);
        }
        // inside computeIfPresent: a move kept at the same time is not dropped with an emptied entry
        kept.computeIfPresent(instance, (key, held) -> held.queue.isEmpty() ? null : held);
    }
}
