package io.github.siodistributor.backend;

/** The client did not acknowledge within the timeout given to {@code timeout(...)}. */
public class AckTimeoutException extends SocketAckException {

    public AckTimeoutException(String message) {
        super(message);
    }
}
