package io.github.siodistributor.core.transport;

import io.github.siodistributor.core.protocol.MalformedMessageException;
import io.github.siodistributor.core.protocol.Message;
import io.github.siodistributor.core.protocol.MessageCodec;
import io.github.siodistributor.core.transport.DroppedMessages.Cause;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.task.SyncTaskExecutor;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnection;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/**
 * The {@link MessageBus} on Redis pub/sub through Spring Data Redis and Lettuce.
 *
 * <p>Publishing goes through Lettuce's asynchronous API on the factory's shared connection: a
 * publish never blocks the caller (often a Netty event loop), and commands written from one thread
 * keep their order on the one connection. Subscriptions use a {@link RedisMessageListenerContainer}
 * that dispatches on its own delivery thread ({@link SyncTaskExecutor}): its default executor would
 * run every message on a new thread and lose the order.
 *
 * <p>Register the subscriptions known at start-up before {@link #start()}: the container subscribes
 * them all and waits for Redis to confirm, so nothing published afterwards is missed.
 */
public final class RedisMessageBus implements MessageBus, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisMessageBus.class);

    private final RedisConnectionFactory connectionFactory;
    private final RedisMessageListenerContainer container = new RedisMessageListenerContainer();
    private final DroppedMessages dropped;
    private volatile RedisConnection publishConnection;
    private volatile RedisClusterAsyncCommands<byte[], byte[]> publisher;
    private final Set<String> subscribedChannels = ConcurrentHashMap.newKeySet();
    private boolean closed;

    public RedisMessageBus(RedisConnectionFactory connectionFactory, DroppedMessages dropped) {
        this.connectionFactory = Objects.requireNonNull(connectionFactory, "connectionFactory");
        this.dropped = Objects.requireNonNull(dropped, "dropped");
        container.setConnectionFactory(connectionFactory);
        container.setTaskExecutor(new SyncTaskExecutor());
        container.setBeanName("distributorMessageListenerContainer");
        container.afterPropertiesSet();
    }

    /** Opens the publishing connection and subscribes everything registered so far. */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("the message bus is closed");
        }
        if (publisher != null) {
            return;
        }
        RedisConnection connection = connectionFactory.getConnection();
        if (!(connection instanceof LettuceConnection lettuce)) {
            connection.close();
            throw new IllegalStateException("The distributor needs a Lettuce connection factory, got "
                    + connectionFactory.getClass().getName());
        }
        publishConnection = connection;
        publisher = lettuce.getNativeConnection();
        container.start();
    }

    @Override
    public CompletableFuture<Long> publish(String channel, Message message) {
        RedisClusterAsyncCommands<byte[], byte[]> commands = publisher;
        if (commands == null) {
            throw new IllegalStateException("the message bus is not started");
        }
        byte[] body = MessageCodec.encode(message);
        CompletableFuture<Long> receivers = commands.publish(channel.getBytes(StandardCharsets.UTF_8), body)
                .toCompletableFuture();
        receivers.whenComplete((count, failure) -> {
            if (failure != null) {
                log.warn("Could not publish {} on {}: {}", message.getClass().getSimpleName(), channel,
                        failure.toString());
            }
        });
        return receivers;
    }

    @Override
    public Subscription subscribe(String channel, Consumer<Message> handler) {
        if (!subscribedChannels.add(channel)) {
            throw new IllegalStateException("channel " + channel + " already has a handler on this message bus; "
                    + "give each worker and backend of one JVM different channels or a bus of its own");
        }
        MessageListener listener = (redisMessage, pattern) -> deliver(channel, redisMessage.getBody(), handler);
        ChannelTopic topic = ChannelTopic.of(channel);
        container.addMessageListener(listener, topic);
        return () -> {
            if (!subscribedChannels.remove(channel)) {
                return;
            }
            try {
                container.removeMessageListener(listener, topic);
            } catch (RuntimeException e) {
                // the connection may already be gone at shutdown: there is nothing left to unsubscribe from
                log.debug("Could not unsubscribe from {}", channel, e);
            }
        };
    }

    private void deliver(String channel, byte[] body, Consumer<Message> handler) {
        Message message;
        try {
            message = MessageCodec.decode(body);
        } catch (MalformedMessageException e) {
            dropped.record(Cause.MALFORMED, channel, e.getMessage());
            return;
        } catch (RuntimeException e) {
            dropped.record(Cause.MALFORMED, channel, e.toString());
            return;
        }
        try {
            handler.accept(message);
        } catch (RuntimeException e) {
            dropped.record(Cause.HANDLER_FAILED, channel, e.toString());
            log.debug("Handler failed for {} on {}", message, channel, e);
        }
    }

    /** True while the subscription connection is established. */
    public boolean isListening() {
        return container.isListening();
    }

    @Override
    public DroppedMessages dropped() {
        return dropped;
    }

    /** Unsubscribes and releases the publishing connection; {@link #start()} may follow. */
    public synchronized void stop() {
        container.stop();
        if (publishConnection != null) {
            publishConnection.close();
            publishConnection = null;
            publisher = null;
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop();
        try {
            container.destroy();
        } catch (Exception e) {
            log.debug("Error while stopping the listener container", e);
        }
    }
}
