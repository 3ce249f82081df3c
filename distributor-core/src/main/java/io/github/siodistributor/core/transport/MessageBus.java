package io.github.siodistributor.core.transport;

import io.github.siodistributor.core.protocol.Message;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Publish/subscribe of protocol messages. Messages published from one thread reach each
 * subscriber in the order they were published; handlers run on the subscriber's delivery thread
 * and must hand off anything slow.
 */
public interface MessageBus {

    /**
     * Publishes without waiting for Redis; failures are counted ({@link DroppedMessages}), never thrown. The result
     * completes with the number of subscribers that received the message (Redis's PUBLISH answer), which tells a
     * requester how many answers to wait for; it completes exceptionally when the publish failed or was refused
     * (Redis unreachable, see {@link RedisMessageBus}).
     */
    CompletableFuture<Long> publish(String channel, Message message);

    /**
     * Delivers every well-formed message on {@code channel} to {@code handler} until closed. One handler per
     * channel on one bus: Redis counts receivers per connection, so a second handler behind the same
     * connection would make receiver counts lie.
     *
     * @throws IllegalStateException when the channel already has a handler on this bus
     */
    Subscription subscribe(String channel, Consumer<Message> handler);

    /** What was dropped instead of delivered. */
    DroppedMessages dropped();

    /**
     * The largest encoded message this bus publishes, in bytes: a larger one fails with
     * {@link MessageTooLargeException}. Unbounded unless the bus says otherwise.
     */
    default long maxMessageSize() {
        return Long.MAX_VALUE;
    }

    /**
     * Whether Redis is reachable as far as this process knows without asking it (its connection is up). While it
     * is not, a blocking Redis call would wait for the client's whole command timeout (Lettuce's default: a
     * minute) for nothing: clean-ups at stop skip theirs and say so.
     */
    boolean isConnected();

    /**
     * A live subscription; closing it unsubscribes. Closing never waits for an unreachable Redis: the handler gets
     * nothing more at once, and Redis hears the unsubscribe once it is back.
     */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
