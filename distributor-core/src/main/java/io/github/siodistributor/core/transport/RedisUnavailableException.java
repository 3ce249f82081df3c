package io.github.siodistributor.core.transport;

/** A publish refused because Redis cannot be reached or does not keep up; the message says which limit or policy. */
public final class RedisUnavailableException extends RuntimeException {

    public RedisUnavailableException(String message) {
        super(message, null, false, false);
    }
}
