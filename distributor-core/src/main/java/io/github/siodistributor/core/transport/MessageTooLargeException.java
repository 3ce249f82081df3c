package io.github.siodistributor.core.transport;

/**
 * A message larger than the message bus publishes ({@code distributor.redis.max-message-size}). Redis delivers a
 * pub/sub message whole, and disconnects a subscriber whose output buffer outgrows its {@code
 * client-output-buffer-limit pubsub} (32 MB by default): one such message would cut every receiver off Redis and
 * lose what else was on its way to them. Nothing was published.
 */
public class MessageTooLargeException extends IllegalArgumentException {

    private final long size;
    private final long limit;

    public MessageTooLargeException(String what, long size, long limit) {
        super(what + " of " + size + " bytes is over the limit of " + limit
                + " bytes (distributor.redis.max-message-size); not published");
        this.size = size;
        this.limit = limit;
    }

    /** The encoded message's size in bytes. */
    public long size() {
        return size;
    }

    /** The largest message published, in bytes. */
    public long limit() {
        return limit;
    }
}
