package io.github.siodistributor.core.worker;

import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.ClientErrors;
import io.github.siodistributor.core.protocol.Message.ClientActivity;
import io.github.siodistributor.core.protocol.Message.InstanceAnnouncement;
import io.github.siodistributor.core.protocol.Message.ReleaseSocket;
import io.github.siodistributor.core.protocol.Message.SocketConnected;
import io.github.siodistributor.core.protocol.Message.SocketDisconnected;
import io.github.siodistributor.core.protocol.Message.SocketEvent;
import io.github.siodistributor.core.protocol.Message.SocketMoved;
import io.github.siodistributor.core.protocol.Message.SocketRecovered;
import io.github.siodistributor.core.protocol.Message.SocketReleased;
import io.github.siodistributor.core.socketio.SocketIoPacketEncoder;
import io.github.siodistributor.core.transport.BackendRegistry;
import io.github.siodistributor.core.transport.DroppedMessages.Cause;
import io.github.siodistributor.core.transport.MessageBus;
import io.github.siodistributor.core.transport.MessageTooLargeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each socket's activity to the one backend instance that has it, and moves sockets when
 * instances come and go, keeping each socket's activity in order and losing none of it:
 * <ul>
 *   <li>a new socket goes to the instance {@link BackendInstances#choose} picks, and stays there;</li>
 *   <li>activity no instance heard (PUBLISH reached no subscriber: the instance is gone) waits, in order,
 *       and is sent again to the instance the socket ends up with;</li>
 *   <li>an instance whose heartbeat expired is dead: its sockets move to survivors, each preceded by a
 *       {@link SocketRecovered} carrying the handshake and rooms;</li>
 *   <li>a leaving instance first gets a {@link ReleaseSocket} after the socket's earlier activity; the socket's
 *       new activity waits until the instance answers that it let the socket go, then follows the recovery
 *       to the next instance;</li>
 *   <li>with no instance left, activity waits (bounded) or the socket is disconnected, per {@link BackendRouting};</li>
 *   <li>an instance presumed dead is told of each socket that moved away from it with a {@link SocketMoved}
 *       (it may only have been paused), see {@link MovedSockets}.</li>
 * </ul>
 * A socket's waiting activity is touched only on its session's event loop.
 */
final class SocketRouter implements AutoCloseable {

    /** The reason a recovery carries when the socket's instance died. */
    static final String BACKEND_LOST = "backend instance lost";
    /** The reason a recovery carries when the socket's instance stopped and handed it over. */
    static final String BACKEND_LEFT = "backend instance left";
    /** The reason clients and logs get when the policy disconnects sockets that no instance serves. */
    static final String NO_BACKEND = "no backend instance serves the namespace";

    private static final Logger log = LoggerFactory.getLogger(SocketRouter.class);

    private final String workerId;
    private final MessageBus bus;
    private final ChannelNames channels;
    private final BackendRegistry registry;
    private final BackendRouting routing;
    private final List<String> specs;
    private final WorkerStats stats;
    private final Supplier<Collection<WorkerSocket>> connected;
    private final Consumer<WorkerSocket> disconnectForNoBackend;
    private final BackendInstances instances;
    private final MovedSockets moved;
    /**
     * Sockets a leaving instance was asked to release, by id, until they move: the release must find its socket
     * even once the client has left the worker meanwhile, or the socket's disconnect would wait for the hand-over
     * timeout.
     */
    private final Map<String, WorkerSocket> releasing = new ConcurrentHashMap<>();
    /** Sockets with activity waiting, including ones that have left since: theirs must still be delivered. */
    private final Set<WorkerSocket> stalled = ConcurrentHashMap.newKeySet();
    /** The check that comes before the next periodic one, for a retry due sooner; the watch thread only. */
    private ScheduledFuture<?> retryCheck;
    /** The stalled sockets the last check saw; the watch thread only: one not among them starts a new stall. */
    private Set<WorkerSocket> stalledAtLastCheck = Set.of();
    private final AtomicBoolean checkRequested = new AtomicBoolean();
    private final AtomicLong heldEventBytes = new AtomicLong();
    /** While the worker closes: where each publish's future goes, so that the worker can wait for them. */
    private volatile Set<CompletableFuture<Long>> closingPublishes;
    private final ScheduledExecutorService timer;

    SocketRouter(String workerId, MessageBus bus, ChannelNames channels, BackendRegistry registry,
            BackendRouting routing, List<String> specs, WorkerStats stats, Supplier<Collection<WorkerSocket>> connected,
            Consumer<WorkerSocket> disconnectForNoBackend) {
        this.workerId = workerId;
        this.bus = bus;
        this.channels = channels;
        this.registry = registry;
        this.routing = routing;
        this.specs = List.copyOf(specs);
        this.stats = stats;
        this.connected = connected;
        this.disconnectForNoBackend = disconnectForNoBackend;
        this.instances = new BackendInstances(routing.lossGrace().toNanos());
        this.moved = new MovedSockets(bus, channels, routing.lossGrace());
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "distributor-backend-watch-" + workerId);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Reads the registry once now (so that the first clients find their instances), then at every interval. */
    void start() {
        check();
        long interval = routing.checkInterval().toNanos();
        timer.scheduleWithFixedDelay(this::check, interval, interval, TimeUnit.NANOSECONDS);
    }

    BackendRouting routing() {
        return routing;
    }

    /** The live backend instances of each served spec, as this worker last saw them. */
    Map<String, List<String>> liveInstances() {
        Map<String, List<String>> live = new LinkedHashMap<>();
        specs.forEach(spec -> live.put(spec, instances.live(spec)));
        return live;
    }

    /** Picks a new socket's instance; false when none is live (the socket's activity then waits or is refused). */
    boolean assign(WorkerSocket socket) {
        socket.backendId = instances.choose(socket.spec, socket.id);
        return socket.backendId != null;
    }

    /** Sends a socket's activity to its instance, or keeps it waiting in order (on the session's event loop). */
    void send(WorkerSocket socket, ClientActivity activity) {
        if (activity instanceof SocketDisconnected && neverReachedAnInstance(socket)) {
            // nobody knows the socket: telling an instance now would run its connect and disconnect for a client
            // long gone, and while no instance serves the namespace every such socket would wait here for one
            socket.waiting.clear();
            stalled.remove(socket);
            return;
        }
        String instance = socket.backendId;
        if (instance != null && !socket.moving && instances.hasDeparted(socket.spec, instance)) {
            // assigned while the instance announced its leaving: the announcement's sweep may have missed it
            release(socket, instance);
        }
        long sequence = socket.nextSequence++;
        if (socket.backendId == null || socket.moving || !socket.waiting.isEmpty()) {
            hold(socket, sequence, activity);
        } else {
            publish(socket, socket.backendId, sequence, activity);
        }
    }

    /** Its connect waits to be sent (first in line, none on its way): no instance has heard of it. */
    private static boolean neverReachedAnInstance(WorkerSocket socket) {
        return socket.inFlight.get() == 0 && !socket.waiting.isEmpty()
                && socket.waiting.first() instanceof SocketConnected;
    }

    /** From now on, every publish's future is added to {@code publishes} (the worker is closing). */
    void trackPublishes(Set<CompletableFuture<Long>> publishes) {
        closingPublishes = publishes;
    }

    /** Unanswered publishes of one socket at which its connection's reads are held; see {@link #holdReads}. */
    static final int READS_HELD_AT = 256;
    /** Unanswered publishes of one socket at which its connection's reads go on again. */
    static final int READS_RESUMED_AT = 64;
    /** The longest reads are held at a time. */
    static final Duration LONGEST_READ_HOLD = Duration.ofSeconds(5);
    /** The first wait before what a live instance did not hear is sent again; it doubles up to the loss grace. */
    static final Duration FIRST_RETRY = Duration.ofMillis(100);

    private void publish(WorkerSocket socket, String instance, long sequence, ClientActivity activity) {
        stats.forwarded.increment();
        CompletableFuture<Long> published = bus.publish(channels.instance(instance), activity);
        Set<CompletableFuture<Long>> tracking = closingPublishes;
        if (tracking != null) {
            tracking.add(published);
        }
        // at or past the mark, not only on reaching it: after a hold ended by its time limit (Redis slow), the next
        // event read holds the connection again
        if (socket.inFlight.incrementAndGet() >= READS_HELD_AT && !socket.readsHeld && bus.isConnected()) {
            holdReads(socket);
        }
        published.whenComplete((receivers, failure) -> {
            if (failure != null) {
                refuseUnforwarded(socket, activity, failure);
            }
            // a client event Redis refused is refused to its client (or dropped, counted); what tells the instance
            // of the socket's life (connect, disconnect, recovery, release) is sent again, or it keeps a dead socket
            // (but a release Redis refused reached a live instance that still holds the socket: the hand-over
            // timeout moves it, and tells the instance, rather than the move taking it from under the instance).
            // One too large for the bus would be refused every time, holding up all that follows: it is dropped
            boolean again = failure == null ? receivers == 0
                    : !(activity instanceof SocketEvent) && !(activity instanceof ReleaseSocket)
                            && !(failure instanceof MessageTooLargeException);
            if (again) {
                // settled only once back in the waiting line: a move queued on the event loop before it must wait
                socket.session.execute(() -> {
                    unheard(socket, instance, sequence, activity);
                    settled(socket);
                });
            } else {
                settled(socket);
            }
        });
    }

    private static void settled(WorkerSocket socket) {
        int left = socket.inFlight.decrementAndGet();
        if (left == READS_RESUMED_AT) {
            socket.session.execute(() -> {
                // unless what was read meanwhile brought it back up to the mark
                if (socket.inFlight.get() < READS_HELD_AT) {
                    releaseReads(socket);
                }
            });
        }
        if (left == 0) {
            runIfSettled(socket);
        }
    }

    /**
     * A client sending faster than Redis takes its messages (a flood): its connection is not read until they come
     * down to {@link #READS_RESUMED_AT}, so that it cannot take the event loop, which the worker's Redis connections
     * and its other clients share, nor the bus's whole share of unanswered publishes. Nothing it sent is refused for
     * it: what was read already goes on, and a burst (the JavaScript client sends what it buffered at once) passes.
     * Not while Redis is unreachable (publishes wait for it then, and the client's pongs must get through), and at
     * most {@link #LONGEST_READ_HOLD} at a time, for an outage that begins meanwhile.
     */
    private static void holdReads(WorkerSocket socket) {
        socket.readsHeld = true;
        socket.session.holdReads();
        socket.readHoldTimeout = socket.session.schedule(() -> releaseReads(socket), LONGEST_READ_HOLD);
    }

    private static void releaseReads(WorkerSocket socket) {
        if (!socket.readsHeld) {
            return;
        }
        socket.readsHeld = false;
        socket.readHoldTimeout.cancel(false);
        socket.session.releaseReads();
    }

    /**
     * Runs {@code action} on the event loop once no publish of the socket is in flight: a publish that nobody
     * heard comes back into the waiting line, and only then may the line move, or it would overtake.
     * Returns whether the action was deferred (the caller stops); the latest deferred action wins.
     */
    private boolean deferWhileInFlight(WorkerSocket socket, Runnable action) {
        if (socket.inFlight.get() == 0) {
            return false;
        }
        socket.whenSettled.set(action);
        if (socket.inFlight.get() == 0) {
            runIfSettled(socket); // the last answer came between the two reads
        }
        return true;
    }

    private static void runIfSettled(WorkerSocket socket) {
        if (socket.whenSettled.get() != null) {
            socket.session.execute(() -> {
                Runnable action = socket.whenSettled.getAndSet(null);
                if (action != null) {
                    action.run();
                }
            });
        }
    }

    /**
     * Redis could not take the publish (an outage, per the bus's outage policy; the bus counted it): a client
     * waiting for the event's ack learns it in the ack rather than never.
     */
    private static void refuseUnforwarded(WorkerSocket socket, ClientActivity activity, Throwable failure) {
        // the ack id leaves the pending set first, so that a late answer cannot reach the client a second time
        if (activity instanceof SocketEvent event && event.wantsAck() && socket.pendingAcks.remove(event.ackId()) != null) {
            socket.session.send(SocketIoPacketEncoder.ack(socket.namespace, event.ackId(), ClientErrors.ack(
                    event.event(), "the event could not be forwarded: " + failure.getMessage())));
        }
    }

    /** Nobody subscribed to the instance's channel: it is gone (or resubscribing after a Redis restart). */
    private void unheard(WorkerSocket socket, String instance, long sequence, ClientActivity activity) {
        if (activity instanceof ReleaseSocket) {
            if (socket.moving && instance.equals(socket.backendId)) {
                rehome(socket, BACKEND_LEFT, false); // nobody listens there to keep it (PUBLISH answered 0)
            }
            return;
        }
        if (activity instanceof SocketRecovered && !instance.equals(socket.backendId)) {
            return; // superseded: the socket's next instance gets a recovery of its own
        }
        socket.waiting.put(sequence, activity);
        stalled.add(socket);
        requestCheck();
    }

    private void hold(WorkerSocket socket, long sequence, ClientActivity activity) {
        if (socket.orphaned) {
            bus.dropped().record(Cause.NO_BACKEND, channels.instances(), activity.getClass().getSimpleName()
                    + " of socket " + socket.id + " in " + socket.namespace);
            return;
        }
        if (activity instanceof SocketEvent event) {
            String overLimit = overHeldLimit(socket, event);
            if (overLimit != null) {
                String message = "no backend instance took event '" + event.event() + "' yet and " + overLimit;
                bus.dropped().record(Cause.LIMIT_EXCEEDED, "client " + socket.id, message);
                if (event.wantsAck() && socket.pendingAcks.remove(event.ackId()) != null) {
                    socket.session.send(SocketIoPacketEncoder.ack(socket.namespace, event.ackId(),
                            ClientErrors.ack(event.event(), message)));
                }
                return;
            }
        }
        socket.waiting.put(sequence, activity);
        stalled.add(socket);
    }

    /** Why one more event may not wait, naming the limit; null when it may. */
    private String overHeldLimit(WorkerSocket socket, SocketEvent event) {
        if (socket.waiting.events() >= routing.heldEventsLimit()) {
            return "socket " + socket.id + " already has " + routing.heldEventsLimit() + " events waiting "
                    + "(distributor.worker.held-events-limit)";
        }
        long held = heldEventBytes.get();
        if (held + event.args().size() > routing.heldEventsSize()) {
            return "the worker's sockets already have events of " + held + " bytes waiting, and this one has "
                    + event.args().size() + " (limit " + routing.heldEventsSize() + " bytes, "
                    + "distributor.worker.held-events-size)";
        }
        return null;
    }

    /** The bytes of the events waiting on every socket of this worker, which {@link WaitingLine}s keep. */
    AtomicLong heldEventBytes() {
        return heldEventBytes;
    }

    /** Sends what waits, in order, to the socket's instance (on the session's event loop). */
    private void flush(WorkerSocket socket) {
        if (socket.backendId == null || socket.moving || deferWhileInFlight(socket, () -> flush(socket))) {
            return;
        }
        List<Map.Entry<Long, ClientActivity>> pending = socket.waiting.drain();
        stalled.remove(socket);
        String instance = socket.backendId;
        for (int i = 0; i < pending.size(); i++) {
            publish(socket, instance, pending.get(i).getKey(), pending.get(i).getValue());
            if (!socket.waiting.isEmpty()) {
                // the bus refused it at once (its limit, an outage) and it is back in line: what followed it stays
                // behind it, or the socket's events would reach the instance before its connect or recovery
                for (Map.Entry<Long, ClientActivity> behind : pending.subList(i + 1, pending.size())) {
                    socket.waiting.put(behind.getKey(), behind.getValue());
                }
                return;
            }
        }
    }

    /**
     * Gives the socket to another live instance (on the session's event loop): a recovery when a backend knew
     * it, or its connect again when it was still connecting, then everything that waits. With
     * {@code previousMayKeepIt}, the instance it leaves did not let it go: it is told what became of the socket.
     */
    private void rehome(WorkerSocket socket, String reason, boolean previousMayKeepIt) {
        if (deferWhileInFlight(socket, () -> rehome(socket, reason, previousMayKeepIt))) {
            return;
        }
        String previous = socket.backendId;
        boolean tellPrevious = previousMayKeepIt && previous != null && !neverReachedAnInstance(socket);
        socket.moving = false;
        releasing.remove(socket.id, socket);
        socket.waiting.removeIf(activity -> activity instanceof SocketRecovered
                || activity instanceof ReleaseSocket);
        String next = instances.choose(socket.spec, socket.id);
        socket.backendId = next;
        boolean orphaned = next == null && routing.whenNoBackend() == BackendRouting.WhenNoBackend.DISCONNECT;
        if (tellPrevious && !previous.equals(next)) {
            // orphaned, the socket is disconnected and nobody else runs its disconnect handlers
            moved.tell(new BackendInstances.Instance(socket.spec, previous), socket, orphaned
                    ? new SocketDisconnected(socket.namespace, socket.id, NO_BACKEND)
                    : new SocketMoved(socket.namespace, socket.id));
        }
        if (next == null) {
            socket.recoveryReason = reason;
            if (orphaned) {
                orphan(socket);
            } else {
                stalled.add(socket);
            }
            return;
        }
        boolean connectWaits = !socket.waiting.isEmpty() && socket.waiting.first() instanceof SocketConnected;
        if (!connectWaits) {
            long sequence = socket.waiting.isEmpty() ? socket.nextSequence++ : socket.waiting.firstSequence() - 1;
            if (socket.everAccepted) {
                socket.waiting.put(sequence, new SocketRecovered(socket.namespace, socket.id, socket.handshake(),
                        List.copyOf(socket.rooms), socket.data, reason));
            } else if (socket.isConnecting()) {
                // its connect reached an instance that never decided: the new one decides
                socket.waiting.put(sequence, new SocketConnected(socket.namespace, socket.id, socket.handshake()));
            }
        }
        flush(socket);
    }

    /** No instance and the policy says disconnect: what waits is dropped (counted) and the client is told. */
    private void orphan(WorkerSocket socket) {
        socket.orphaned = true;
        if (!socket.waiting.isEmpty()) {
            bus.dropped().record(Cause.NO_BACKEND, channels.instances(), socket.waiting.size()
                    + " waiting messages of socket " + socket.id + " in " + socket.namespace);
            socket.waiting.clear();
        }
        stalled.remove(socket);
        disconnectForNoBackend.accept(socket);
    }

    // ---- instances coming and going

    /** An instance announced itself or its leaving (on the Redis delivery thread). */
    void onAnnouncement(InstanceAnnouncement announcement) {
        String spec = announcement.namespace();
        if (!specs.contains(spec)) {
            return; // a namespace this worker does not serve
        }
        if (announcement.leaving()) {
            instances.departed(spec, announcement.backendId());
            // it still listens while it hands over: what it may not have heard of earlier moves, it hears now
            moved.retellNow(new BackendInstances.Instance(spec, announcement.backendId()));
            log.info("Backend instance {} of {} is leaving: handing its sockets on worker '{}' over", 
                    announcement.backendId(), spec, workerId);
            for (WorkerSocket socket : socketsOf(spec, announcement.backendId())) {
                socket.session.execute(() -> release(socket, announcement.backendId()));
            }
        } else if (instances.joined(spec, announcement.backendId())) {
            log.info("Backend instance {} now serves {}", announcement.backendId(), spec);
            adoptWaiting(spec);
        }
    }

    /** Asks a leaving instance to let the socket go once it has handled what it got (on the event loop). */
    private void release(WorkerSocket socket, String leaving) {
        if (!leaving.equals(socket.backendId) || socket.moving) {
            return;
        }
        socket.moving = true;
        releasing.put(socket.id, socket);
        publish(socket, leaving, socket.nextSequence++, new ReleaseSocket(socket.namespace, socket.id));
        socket.session.schedule(() -> {
            if (socket.moving && leaving.equals(socket.backendId)) {
                log.warn("Backend instance {} did not release socket {} within {}; moving it anyway", leaving,
                        socket.id, routing.handoverTimeout());
                // the release may never have reached it (refused by Redis) or waits behind whatever holds it up
                rehome(socket, BACKEND_LEFT, true);
            }
        }, routing.handoverTimeout());
    }

    /** What became of a release. */
    enum Release { TAKEN, NOT_HANDED_OVER, NOT_ASKED }

    /** A leaving instance let the socket go (on the Redis delivery thread): taken only from the one asked. */
    Release onReleased(SocketReleased released) {
        WorkerSocket socket = releasing.get(released.socketId());
        if (socket == null || !socket.namespace.equals(released.namespace())) {
            return Release.NOT_HANDED_OVER;
        }
        String leaving = socket.backendId;
        if (!released.backendId().equals(leaving)) {
            return Release.NOT_ASKED;
        }
        socket.session.execute(() -> {
            if (socket.moving && released.backendId().equals(socket.backendId)) {
                rehome(socket, BACKEND_LEFT, false);
            }
        });
        return Release.TAKEN;
    }

    /** Sockets waiting for any instance of the spec get one now that one is live. */
    private void adoptWaiting(String spec) {
        for (WorkerSocket socket : List.copyOf(stalled)) {
            if (socket.spec.equals(spec) && socket.backendId == null) {
                adopt(socket);
            }
        }
    }

    /** Gives a socket waiting for any instance a live one (on its event loop), unless it got one meanwhile. */
    private void adopt(WorkerSocket socket) {
        socket.session.execute(() -> {
            if (socket.backendId == null && !socket.moving && !socket.orphaned) {
                rehome(socket, socket.recoveryReason, false);
            }
        });
    }

    private Collection<WorkerSocket> socketsOf(String spec, String backendId) {
        Set<WorkerSocket> matching = new HashSet<>();
        for (WorkerSocket socket : connected.get()) {
            if (socket.spec.equals(spec) && backendId.equals(socket.backendId)) {
                matching.add(socket);
            }
        }
        for (WorkerSocket socket : stalled) {
            if (socket.spec.equals(spec) && backendId.equals(socket.backendId)) {
                matching.add(socket);
            }
        }
        return matching;
    }

    private void requestCheck() {
        if (checkRequested.compareAndSet(false, true)) {
            try {
                timer.execute(() -> {
                    checkRequested.set(false);
                    check();
                });
            } catch (RejectedExecutionException e) {
                checkRequested.set(false); // closed
            }
        }
    }

    /**
     * Reads the registry and moves the sockets of dead instances, with what they did not hear (watch thread).
     * What a live instance did not hear is sent to it again, after 100 ms and then less and less often, down to once
     * per loss grace: a Redis restart's resubscribe gap is bridged by the bus itself, a subscription cut alone comes
     * back within a few hundred milliseconds, and an instance that is dying is soon declared dead.
     */
    void check() {
        try {
            checkNow();
        } catch (RuntimeException e) {
            // thrown out of a periodic task, it would end the watch for good, and with it the moving of the
            // sockets of dead instances
            log.error("Backend watch of worker '{}' failed; it goes on at the next interval", workerId, e);
        }
    }

    private void checkNow() {
        if (registry == null) {
            return;
        }
        BackendInstances.Changes changes;
        try {
            boolean connected = bus.isConnected();
            long started = System.nanoTime();
            Map<String, Map<String, Boolean>> registered = registry.instances(specs);
            if (!connected || System.nanoTime() - started > routing.checkInterval().toNanos()) {
                // the read waited for Redis (Lettuce holds commands while it reconnects) and came back with the
                // outage: what expired meanwhile could not be renewed, and the renewals may come just after this
                instances.unreadable();
            }
            changes = instances.update(registered, System.nanoTime());
        } catch (RuntimeException e) {
            log.debug("Cannot read the backend registry now: {}", e.toString());
            instances.unreadable();
            return; // nothing is decided while Redis cannot be asked
        }
        for (BackendInstances.Instance gone : changes.gone()) {
            Collection<WorkerSocket> moving = socketsOf(gone.spec(), gone.backendId());
            if (moving.isEmpty()) {
                // every worker reads the registry: only those where it had sockets have something to warn about
                log.info("Backend instance {} of {} is gone (heartbeat expired); it had no socket on worker '{}'",
                        gone.backendId(), gone.spec(), workerId);
            } else {
                log.warn("Backend instance {} of {} is gone (heartbeat expired): moving its {} sockets on worker "
                        + "'{}'", gone.backendId(), gone.spec(), moving.size(), workerId);
            }
            for (WorkerSocket socket : moving) {
                socket.session.execute(() -> {
                    if (gone.backendId().equals(socket.backendId)) {
                        rehome(socket, BACKEND_LOST, true);
                    }
                });
            }
        }
        for (BackendInstances.Instance appeared : changes.appeared()) {
            adoptWaiting(appeared.spec());
        }
        moved.retell(instance -> instances.live(instance.spec()).contains(instance.backendId()), System.nanoTime());
        long nextRetry = Long.MAX_VALUE;
        Set<WorkerSocket> stalledNow = Set.copyOf(stalled);
        for (WorkerSocket socket : stalledNow) {
            String instance = socket.backendId;
            if (instance == null) {
                // found no instance just before this worker saw one appear, and began to wait just after the
                // adoption above went through the waiting sockets: nothing else would look at it again
                if (!instances.live(socket.spec).isEmpty()) {
                    adopt(socket);
                }
                continue;
            }
            if (instances.live(socket.spec).contains(instance)) {
                // seldom: a live instance whose subscription is coming back (its connection was cut, alone or with
                // Redis), or one dying now
                nextRetry = Math.min(nextRetry, retryWhenDue(socket, !stalledAtLastCheck.contains(socket),
                        System.nanoTime()));
            } else {
                // its instance is gone without having been live here since (it left, or died unseen)
                socket.session.execute(() -> {
                    if (instance.equals(socket.backendId) && !socket.moving) {
                        rehome(socket, BACKEND_LOST, true);
                    }
                });
            }
        }
        stalledAtLastCheck = stalledNow;
        if (nextRetry < routing.checkInterval().toNanos()) {
            checkAgainIn(nextRetry);
        }
    }

    /**
     * Sends what a live instance did not hear again once its retry is due, backing off from {@link #FIRST_RETRY}
     * to the loss grace: an instance's subscription cut alone comes back within a few hundred milliseconds, and
     * meanwhile its sockets' events wait (up to held-events-limit, then refused). A socket the last check did not
     * see stalled ({@code newStall}) starts its backoff over. Returns the nanoseconds until the socket's next retry.
     */
    private long retryWhenDue(WorkerSocket socket, boolean newStall, long now) {
        long grace = routing.lossGrace().toNanos();
        if (newStall) {
            socket.lastRetry = now;
            socket.retryDelay = Math.min(FIRST_RETRY.toNanos(), grace);
        }
        long due = socket.lastRetry + socket.retryDelay;
        if (now - due < 0) {
            return due - now;
        }
        socket.lastRetry = now;
        socket.retryDelay = Math.min(2 * socket.retryDelay, grace);
        socket.session.execute(() -> flush(socket));
        return socket.retryDelay;
    }

    /** One check ahead of the periodic ones (the watch thread only: the latest asked for replaces the one before). */
    private void checkAgainIn(long nanos) {
        if (retryCheck != null) {
            retryCheck.cancel(false);
        }
        try {
            retryCheck = timer.schedule(this::check, nanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closed
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
