package io.github.siodistributor.core.worker;

import io.github.siodistributor.core.engine.EngineHandshake;
import io.github.siodistributor.core.engine.EngineSession;
import io.github.siodistributor.core.metrics.NamespaceStats;
import io.github.siodistributor.core.protocol.Handshake;
import io.github.siodistributor.core.protocol.Message;
import io.github.siodistributor.core.protocol.Message.SocketInfo;
import io.github.siodistributor.core.protocol.ReplyParts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/** One client's connection to one namespace, as the worker holds it. */
final class WorkerSocket {

    /** Unanswered acks one socket may have; a backend that never answers must not grow a worker's memory. */
    static final int PENDING_ACK_LIMIT = 1024;

    /**
     * How long an ack may wait before, on a socket that has {@value #PENDING_ACK_LIMIT} waiting, it is taken for
     * abandoned and makes room: an answer that never comes (a client with no listener for the event, a handler that
     * never acks, an instance that died with the event) must not block the socket's acks for good. Answers come
     * in order, so one that old will not come while newer ones wait.
     */
    static final long ABANDONED_AFTER_NANOS = TimeUnit.MINUTES.toNanos(5);

    /** What {@link #data} holds until a backend sets something: JSON {@code null}. */
    static final byte[] NO_DATA = {'n', 'u', 'l', 'l'};

    final String id;
    final String namespace;
    /** The served namespace spec (the name, or the pattern of a dynamic namespace) that the socket belongs to. */
    final String spec;
    /**
     * The backend instance that handles this socket's activity (per-socket affinity), or null while none is
     * live. Written on the session's event loop, read by the router's watch thread.
     */
    volatile String backendId;
    /** Whether this socket was ever let in: a backend has its context then, and a new instance gets a recovery. */
    volatile boolean everAccepted;

    // The fields below belong to the session's event loop (SocketRouter).
    /** Activity not yet delivered to an instance, by sequence number: held, or returned by a publish nobody heard. */
    final WaitingLine waiting;
    long nextSequence;
    /** The instance is leaving: new activity waits until it has handled what it got and let the socket go. */
    boolean moving;
    /** No instance is left and the policy is to disconnect: the socket's activity has nowhere to go. */
    boolean orphaned;
    /**
     * Publishes of this socket's activity not yet settled: unanswered by Redis, or answered "nobody heard" and not
     * yet back in the waiting line. Answers come on Lettuce's thread.
     */
    final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    /** Whether the router holds the reads of this socket's connection ({@link SocketRouter#READS_HELD_AT}). */
    boolean readsHeld;
    /** Ends that hold should Redis not answer (an outage begun meanwhile): the client's pongs must get through. */
    ScheduledFuture<?> readHoldTimeout;
    /** What to do on the event loop once nothing is in flight: a move must not overtake a late "nobody heard". */
    final AtomicReference<Runnable> whenSettled = new AtomicReference<>();
    /**
     * When the router last sent unheard activity again to a live instance (or the stall began), and how long it waits
     * before the next time; the router's watch thread only.
     */
    long lastRetry;
    long retryDelay;
    /** Why the socket lost its instance, for the recovery signal that a later instance will get. */
    String recoveryReason = SocketRouter.BACKEND_LOST;
    final EngineSession session;
    /** The CONNECT packet's auth; with the session's handshake it rebuilds the socket's handshake on request. */
    final byte[] auth;
    /** Refuses the socket if no backend decides in time; cancelled once one does, or the socket ends. */
    volatile java.util.concurrent.Future<?> connectTimeout;
    /** The JSON a backend stored with {@code setData}, returned by fetchSockets. */
    volatile byte[] data = NO_DATA;
    final Set<String> rooms = ConcurrentHashMap.newKeySet();
    /** The bytes {@link #rooms} take in the socket's description (see {@link ReplyParts#size(String)}). */
    final AtomicLong roomBytes = new AtomicLong();
    /** The bytes of the socket's description without its rooms and data, taken at its connect (see below). */
    private volatile long fixedDescriptionBytes;
    /** Ack ids the client is waiting on, with when it asked (System.nanoTime()): only these may be answered, each once. */
    final Map<Long, Long> pendingAcks = new ConcurrentHashMap<>();
    /** The counters of the socket's namespace on this worker, resolved once when the socket is made. */
    final NamespaceStats stats;
    /** Emits with ack waiting for the client's answer, by the ack id the client was given. */
    final Map<Long, AwaitedAck> awaitedAcks = new ConcurrentHashMap<>();

    /** Which backend asked, under which request id, and when (System.nanoTime()). */
    record AwaitedAck(String backendId, long requestId, long since) {

        AwaitedAck(String backendId, long requestId) {
            this(backendId, requestId, System.nanoTime());
        }
    }

    /** Why {@link #await} did not register an emit with ack. */
    enum AwaitRefusal { NONE, GONE, TOO_MANY }

    /**
     * Registers an emit with ack under {@code ackId} (unique on the worker, so that a broadcast can give every
     * recipient the same id and the same bytes). Synchronized with {@link #end()}: an emit registered after
     * the socket ended would never be answered nor refused. At the limit, the emits waiting longer than
     * {@link #ABANDONED_AFTER_NANOS} make room, each handed to {@code abandoned} to be answered that no answer comes.
     */
    synchronized AwaitRefusal await(long ackId, AwaitedAck awaited, Consumer<AwaitedAck> abandoned) {
        if (state.get() == State.GONE) {
            return AwaitRefusal.GONE;
        }
        if (awaitedAcks.size() >= PENDING_ACK_LIMIT) {
            awaitedAcks.entrySet().removeIf(entry -> {
                boolean old = awaited.since() - entry.getValue().since() >= ABANDONED_AFTER_NANOS;
                if (old) {
                    abandoned.accept(entry.getValue());
                }
                return old;
            });
            if (awaitedAcks.size() >= PENDING_ACK_LIMIT) {
                return AwaitRefusal.TOO_MANY;
            }
        }
        awaitedAcks.put(ackId, awaited);
        return AwaitRefusal.NONE;
    }

    /**
     * Makes room among the client's acks that wait for a backend's answer, when there are {@value
     * #PENDING_ACK_LIMIT}: forgets those waiting longer than {@link #ABANDONED_AFTER_NANOS}. Whether there is room
     * now.
     */
    boolean roomForClientAck(long nowNanos) {
        if (pendingAcks.size() < PENDING_ACK_LIMIT) {
            return true;
        }
        pendingAcks.values().removeIf(since -> nowNanos - since >= ABANDONED_AFTER_NANOS);
        return pendingAcks.size() < PENDING_ACK_LIMIT;
    }

    private enum State { CONNECTING, ACCEPTED, GONE }

    private final AtomicReference<State> state = new AtomicReference<>(State.CONNECTING);
    /** Commands that came while the backend had not yet let the socket in; carried out once it does. */
    private final List<Message.SocketCommand> held = new ArrayList<>();

    /** @param heldEventBytes the bytes of the events waiting on every socket of the worker ({@link WaitingLine}) */
    WorkerSocket(String id, String namespace, String spec, EngineSession session, byte[] auth, NamespaceStats stats,
            AtomicLong heldEventBytes) {
        this.waiting = new WaitingLine(heldEventBytes);
        this.id = id;
        this.namespace = namespace;
        this.spec = spec;
        this.session = session;
        this.auth = auth;
        this.stats = stats;
    }

    /** The socket's handshake as backends see it: the Engine.IO handshake with this namespace's auth. */
    Handshake handshake() {
        EngineHandshake engine = session.handshake();
        return new Handshake(engine.headers(), engine.query(), auth, engine.address(), engine.url(), engine.time());
    }

    /**
     * About the bytes of this socket's description (handshake, rooms, data: what a recovery and a fetch carry) with
     * {@code moreRoomBytes} more of rooms and {@code dataLength} bytes of data; never less than its encoding.
     */
    long descriptionBytesWith(long moreRoomBytes, int dataLength) {
        return fixedDescriptionBytes + roomBytes.get() + moreRoomBytes + dataLength;
    }

    /**
     * Takes the size of the socket's description without rooms and data from {@code handshake}, its handshake: at
     * its connect, on its event loop (before any backend can join it to a room), rather than on the Redis delivery
     * thread at its first join.
     */
    void describedBy(Handshake handshake) {
        fixedDescriptionBytes = ReplyParts.size(new SocketInfo(id, handshake, List.of(), new byte[0]));
    }

    boolean isConnecting() {
        return state.get() == State.CONNECTING;
    }

    boolean isAccepted() {
        return state.get() == State.ACCEPTED;
    }

    /** Ended ({@link #end}) or refused: nothing may be added for it any more. */
    boolean isGone() {
        return state.get() == State.GONE;
    }

    /** What {@link #holdWhileConnecting} did with a command. */
    enum Hold { HELD, NOT_CONNECTING, FULL }

    /**
     * Holds a command while connecting, at most {@value #PENDING_ACK_LIMIT} of them: a backend that sends without
     * end to a socket that never connects must not grow a worker's memory.
     */
    synchronized Hold holdWhileConnecting(Message.SocketCommand command) {
        if (state.get() != State.CONNECTING) {
            return Hold.NOT_CONNECTING;
        }
        if (held.size() >= PENDING_ACK_LIMIT) {
            return Hold.FULL;
        }
        held.add(command);
        return Hold.HELD;
    }

    /** Lets the socket in; returns the held commands to carry out, or null when it was no longer connecting. */
    synchronized List<Message.SocketCommand> accept() {
        if (!state.compareAndSet(State.CONNECTING, State.ACCEPTED)) {
            return null;
        }
        everAccepted = true;
        return drainHeld();
    }

    /** Turns a connecting socket away; returns the held commands (to refuse), or null when it was not connecting. */
    synchronized List<Message.SocketCommand> refuse() {
        return state.compareAndSet(State.CONNECTING, State.GONE) ? drainHeld() : null;
    }

    /** Ends the socket; returns the commands still held (to refuse), or null when it had ended already. */
    synchronized List<Message.SocketCommand> end() {
        return state.getAndSet(State.GONE) != State.GONE ? drainHeld() : null;
    }

    private List<Message.SocketCommand> drainHeld() {
        List<Message.SocketCommand> commands = List.copyOf(held);
        held.clear();
        return commands;
    }

    @Override
    public String toString() {
        return "WorkerSocket[" + namespace + " " + id + "]";
    }

    void cancelConnectTimeout() {
        java.util.concurrent.Future<?> timeout = connectTimeout;
        if (timeout != null) {
            timeout.cancel(false);
        }
    }
}
