package io.github.siodistributor.core.transport;

import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.Message;
import io.github.siodistributor.core.protocol.Message.Custom;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The application's own messages between any workers and backends on one Redis (the seeds'
 * {@code publishCustomEvent}): opaque bytes on a named topic, published on
 * {@code <prefix>:custom:<topic>} and delivered to every listener of the topic in every process, the
 * sender's own included ({@link Custom#senderId()} tells who sent it). Use it for what the distributor
 * does not do itself: telling every worker to reload something, a backend asking the workers for
 * their load, and so on.
 */
public final class CustomMessages {

    private final MessageBus bus;
    private final ChannelNames channels;
    private final String senderId;
    /** One bus subscription per topic, shared by the topic's listeners; dropped with the last listener. */
    private final Map<String, Topic> topics = new ConcurrentHashMap<>();

    private record Topic(MessageBus.Subscription subscription, List<CustomMessageListener> listeners) {
    }

    /** @param senderId who this process is in the messages it sends, such as its worker id */
    public CustomMessages(MessageBus bus, ChannelNames channels, String senderId) {
        this.bus = Objects.requireNonNull(bus, "bus");
        this.channels = Objects.requireNonNull(channels, "channels");
        this.senderId = Objects.requireNonNull(senderId, "senderId");
    }

    public String senderId() {
        return senderId;
    }

    /** Publishes {@code body} on {@code topic}; completes with the number of processes listening to the topic. */
    public CompletableFuture<Long> publish(String topic, byte[] body) {
        return bus.publish(channels.custom(requireTopic(topic)), new Custom(topic, senderId, body));
    }

    /** Publishes text as UTF-8. */
    public CompletableFuture<Long> publish(String topic, String text) {
        return publish(topic, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Delivers the topic's messages to {@code listener} until the returned subscription is closed. */
    public MessageBus.Subscription subscribe(CustomMessageListener listener) {
        String topic = requireTopic(listener.topic());
        topics.compute(topic, (name, current) -> {
            if (current == null) {
                String channel = channels.custom(name);
                current = new Topic(bus.subscribe(channel, message -> deliver(channel, name, message)),
                        new CopyOnWriteArrayList<>());
            }
            current.listeners().add(listener);
            return current;
        });
        return () -> topics.computeIfPresent(topic, (name, current) -> {
            current.listeners().remove(listener);
            if (!current.listeners().isEmpty()) {
                return current;
            }
            current.subscription().close();
            return null;
        });
    }

    private void deliver(String channel, String topic, Message message) {
        if (!(message instanceof Custom custom) || !custom.topic().equals(topic)) {
            bus.dropped().record(DroppedMessages.Cause.MISROUTED, channel, message.getClass().getSimpleName()
                    + " is not a custom message of topic " + topic);
            return;
        }
        Topic subscribed = topics.get(topic);
        if (subscribed != null) {
            for (CustomMessageListener listener : subscribed.listeners()) {
                try {
                    listener.onMessage(custom);
                } catch (RuntimeException e) {
                    // one broken listener must not keep the message from the others
                    bus.dropped().record(DroppedMessages.Cause.HANDLER_FAILED, channel, listener + ": " + e);
                }
            }
        }
    }

    private static String requireTopic(String topic) {
        if (topic == null || topic.isEmpty() || topic.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("a custom message topic must be non-empty and contain no whitespace, "
                    + "got '" + topic + "'");
        }
        return topic;
    }
}
