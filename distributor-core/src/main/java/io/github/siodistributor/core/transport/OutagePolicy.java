package io.github.siodistributor.core.transport;

/** What a {@link RedisMessageBus} does with a publish while Redis cannot be reached. */
public enum OutagePolicy {

    /**
     * Hold it, up to a count limit, and publish it in order once Redis is back; beyond the limit the publish
     * fails at once. A client waiting for an ack gets it late rather than an error.
     */
    BUFFER,

    /** Fail it at once: the caller learns right away (a client's ack carries the error) and nothing is held. */
    REJECT
}
