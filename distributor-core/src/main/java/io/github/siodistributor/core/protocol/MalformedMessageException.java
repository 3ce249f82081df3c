package io.github.siodistributor.core.protocol;

/** A message on a distributor channel that is not a well-formed v1 envelope. */
public class MalformedMessageException extends RuntimeException {

    public MalformedMessageException(String message) {
        super(message);
    }
}
