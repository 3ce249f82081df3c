package io.github.siodistributor.core.worker;

import io.github.siodistributor.core.engine.EngineSession;
import io.github.siodistributor.core.protocol.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/** One client's connection to one namespace, as the worker holds it. */
final class WorkerSocket {

    /** Unanswered acks one socket may have; a backend that never answers must not grow a worker's memory. */
    static final int PENDING_ACK_LIMIT = 1024;

    /** What {@link #data} holds until a backend sets something: JSON {@code null}. */
    static final byte[] NO_DATA = {'n', 'u', 'l', 'l'};

    final String id;
    final String namespace;
    /** Where this socket's connects, events and disconnects go: its namespace's (or pattern's) backend channel. */
    final String backendChannel;
    final EngineSession session;
    /** The CONNECT packet's auth; with the session's handshake it rebuilds the socket's handshake on request. */
    final byte[] auth;
    /** The JSON a backend stored with {@code setData}, returned by fetchSockets. */
    volatile byte[] data = NO_DATA;
    final Set<String> rooms = ConcurrentHashMap.newKeySet();
    /** Ack ids the client is waiting on: only these may be answered, each once. */
    final Set<Long> pendingAcks = ConcurrentHashMap.newKeySet();
    /** Emits with ack waiting for the client's answer, by the ack id the client was given. */
    final Map<Long, AwaitedAck> awaitedAcks = new ConcurrentHashMap<>();

    /** Which backend asked, under which request id. */
    record AwaitedAck(String backendId, long requestId) {
    }

    /** Why {@link #await} did not register an emit with ack. */
    enum AwaitRefusal { NONE, GONE, TOO_MANY }

    /**
     * Registers an emit with ack under {@code ackId} (unique on the worker, so that a broadcast can give every
     * recipient the same id and the same bytes). Synchronized with {@link #end()}: an emit registered after
     * the socket ended would never be answered nor refused.
     */
    synchronized AwaitRefusal await(long ackId, AwaitedAck awaited) {
        if (state.get() == State.GONE) {
            return AwaitRefusal.GONE;
        }
        if (awaitedAcks.size() >= PENDING_ACK_LIMIT) {
            return AwaitRefusal.TOO_MANY;
        }
        awaitedAcks.put(ackId, awaited);
        return AwaitRefusal.NONE;
    }

    private enum State { CONNECTING, ACCEPTED, GONE }

    private final AtomicReference<State> state = new AtomicReference<>(State.CONNECTING);
    /** Commands that came while the backend had not yet let the socket in; carried out once it does. */
    private final List<Message.SocketCommand> held = new ArrayList<>();

    WorkerSocket(String id, String namespace, String backendChannel, EngineSession session, byte[] auth) {
        this.id = id;
        this.namespace = namespace;
        this.backendChannel = backendChannel;
        this.session = session;
        this.auth = auth;
    }

    boolean isAccepted() {
        return state.get() == State.ACCEPTED;
    }

    /** Holds a command while connecting; false when the socket is already accepted (or gone). */
    synchronized boolean holdWhileConnecting(Message.SocketCommand command) {
        if (state.get() != State.CONNECTING) {
            return false;
        }
        if (held.size() >= PENDING_ACK_LIMIT) {
            throw new IllegalStateException("more than " + PENDING_ACK_LIMIT + " commands for connecting socket " + id);
        }
        held.add(command);
        return true;
    }

    /** Lets the socket in; returns the held commands to carry out, or null when it was no longer connecting. */
    synchronized List<Message.SocketCommand> accept() {
        return state.compareAndSet(State.CONNECTING, State.ACCEPTED) ? drainHeld() : null;
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
}
