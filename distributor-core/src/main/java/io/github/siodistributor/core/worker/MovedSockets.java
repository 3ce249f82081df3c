package io.github.siodistributor.core.worker;

import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.Message.SocketMoved;
import io.github.siodistributor.core.transport.MessageBus;
import io.github.siodistributor.core.worker.BackendInstances.Instance;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a backend instance the worker presumed dead (heartbeat expired) which of its sockets moved away
 * from it. An instance that was only paused or cut off from Redis would otherwise keep them for good:
 * listed by its {@code sockets()}, their disconnect handlers never run, its own hand-over waiting its full
 * timeout for them.
 *
 * <p>An instance that did not hear it (no subscriber: it is cut off, or really dead) is told again whenever
 * the worker finds it live, for up to {@link #KEPT}. A dead instance's id never comes back (each process
 * start takes a new one), so what waits for it is dropped then.
 */
final class MovedSockets {

    /** How long a move an instance did not hear waits for the instance to be live again. */
    static final Duration KEPT = Duration.ofMinutes(10);

    private static final Logger log = LoggerFactory.getLogger(MovedSockets.class);

    private final MessageBus bus;
    private final ChannelNames channels;
    private final long retryNanos;
    private final Map<Instance, Untold> untold = new ConcurrentHashMap<>();

    /**
     * A move the instance did not hear. The socket itself only weakly: one that ended meanwhile must not be kept
     * for minutes with its session, and it can no longer move back to the instance either.
     */
    private record Move(SocketMoved message, WeakReference<WorkerSocket> socket) {
    }

    /** The moves one instance did not hear, since the first of them. */
    private static final class Untold {
        final long sinceNanos;
        /** When they were last told, or first found unheard: the next try waits the retry interval. */
        final long toldNanos = System.nanoTime();
        final Queue<Move> moves = new ConcurrentLinkedQueue<>();

        Untold(long sinceNanos) {
            this.sinceNanos = sinceNanos;
        }
    }

    MovedSockets(MessageBus bus, ChannelNames channels, Duration retry) {
        this.bus = bus;
        this.channels = channels;
        this.retryNanos = retry.toNanos();
    }

    /** Tells {@code previous} that the socket moved away from it (on the socket's event loop, as it moves). */
    void tell(Instance previous, WorkerSocket socket) {
        tell(previous, new Move(new SocketMoved(socket.namespace, socket.id), new WeakReference<>(socket)),
                System.nanoTime());
    }

    private void tell(Instance previous, Move move, long sinceNanos) {
        bus.publish(channels.instance(previous.backendId()), move.message()).whenComplete((receivers, failure) -> {
            if (failure != null || receivers == 0) {
                // inside compute: a retell taking the instance's entry away at the same time cannot lose it
                untold.compute(previous, (instance, waiting) -> {
                    Untold kept = waiting == null ? new Untold(sinceNanos) : waiting;
                    kept.moves.add(move);
                    return kept;
                });
            }
        });
    }

    /**
     * Tells live instances again what they did not hear, at most once per retry interval, and gives up on
     * what waited longer than {@link #KEPT} (on the worker's watch thread).
     */
    void retell(Predicate<Instance> live, long nowNanos) {
        untold.forEach((instance, waiting) -> {
            if (nowNanos - waiting.sinceNanos > KEPT.toNanos()) {
                if (untold.remove(instance, waiting)) {
                    log.info("Backend instance {} of {} was not seen live within {} of losing {} sockets; it is "
                            + "no longer told they moved", instance.backendId(), instance.spec(), KEPT,
                            waiting.moves.size());
                }
            } else if (nowNanos - waiting.toldNanos >= retryNanos && live.test(instance)
                    && untold.remove(instance, waiting)) {
                for (Move move : waiting.moves) {
                    WorkerSocket socket = move.socket().get();
                    if (socket == null) {
                        tell(instance, move, waiting.sinceNanos);
                    } else {
                        socket.session.execute(() -> {
                            // on the socket's event loop, where it moves: one that moved back there is its own again
                            if (!instance.backendId().equals(socket.backendId)) {
                                tell(instance, move, waiting.sinceNanos);
                            }
                        });
                    }
                }
            }
        });
    }
}
