package io.github.siodistributor.backend;

/**
 * The client's acknowledgement callback for one event, for handlers that answer explicitly rather
 * than through their return value. Only the first call is sent; calls are ignored when the client
 * asked for no ack.
 */
public interface Ack {

    /** Whether the client is waiting for an answer. */
    boolean requested();

    /** Answers the client with these arguments. */
    void send(Object... args);
}
