package io.github.siodistributor.core.transport;

import io.github.siodistributor.core.protocol.Message;
import java.util.function.Consumer;

/**
 * Publish/subscribe of protocol messages. Messages published from one thread reach each
 * subscriber in the order they were published; handlers run on the subscriber's delivery thread
 * and must hand off anything slow.
 */
public interface MessageBus {

    /** Publishes without waiting for Redis; failures are counted and logged, never thrown. */
    void publish(String channel, Message message);

    /** Delivers every well-formed message on {@code channel} to {@code handler} until closed. */
    Subscription subscribe(String channel, Consumer<Message> handler);

    /** What was dropped instead of delivered. */
    DroppedMessages dropped();

    /** A live subscription; closing it unsubscribes. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
