package io.github.siodistributor.backend;

/** A client acknowledgement that will not come, with the reason. */
public class SocketAckException extends RuntimeException {

    public SocketAckException(String message) {
        super(message);
    }
}
