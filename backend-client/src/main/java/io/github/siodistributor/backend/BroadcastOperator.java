package io.github.siodistributor.backend;

/**
 * A selection of a namespace's sockets to emit to: everyone, or the sockets in some rooms, minus the
 * sockets in excluded rooms. Immutable: each call returns a new selection. An emit is one Redis
 * publish, whatever the number of clients and workers.
 */
public interface BroadcastOperator {

    /** Adds rooms to the selection (sockets in any of them). */
    BroadcastOperator to(String... rooms);

    /** Same as {@link #to}, named as in Socket.IO. */
    default BroadcastOperator in(String... rooms) {
        return to(rooms);
    }

    /** Excludes the sockets in any of these rooms. */
    BroadcastOperator except(String... rooms);

    /** Emits an event with arguments (encoded by Jackson) to the selected sockets. */
    void emit(String event, Object... args);
}
