package io.github.siodistributor.backend;

/**
 * Thrown by an event handler to refuse an event with a message the client may see. Other
 * exceptions reach the client only as {@code "internal error"}; the details stay in the log.
 */
public class EventRejectedException extends RuntimeException {

    public EventRejectedException(String message) {
        super(message);
    }
}
