package io.github.siodistributor.core.transport;

import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.LoggedText;
import io.github.siodistributor.core.protocol.MalformedMessageException;
import io.github.siodistributor.core.protocol.Message;
import io.github.siodistributor.core.protocol.MessageCodec;
import io.github.siodistributor.core.transport.DroppedMessages.Cause;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.Delegating;
import io.lettuce.core.RedisChannelWriter;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.pubsub.PubSubEndpoint;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.netty.util.internal.ThreadExecutorMap;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.task.SyncTaskExecutor;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
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
 *
 * <p>Redis outages: Lettuce reconnects both connections by itself and resubscribes the channels, and the
 * listener container never notices. While the publishing connection is down, publishes are held or refused
 * per the {@link OutageSettings} ({@link OutagePublisher}); {@link #checkSubscription} tells whether the
 * subscription really delivers, since neither an open connection nor the container can tell. A subscription
 * closed while Redis is unreachable stops delivering at once and is unsubscribed once Redis is back (or with the
 * whole subscription at {@link #stop()}): an UNSUBSCRIBE sent meanwhile would hold the caller, often a process
 * that is stopping, for Lettuce's whole command timeout. Where the connection still looks up (Redis died a moment
 * ago, or hangs), an unsubscribe waits for Redis no longer than a subscribe waits for its confirmation
 * ({@link RedisMessageListenerContainer#getMaxSubscriptionRegistrationWaitingTime()}).
 */
public final class RedisMessageBus implements MessageBus, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisMessageBus.class);

    /**
     * 8 MiB: a quarter of the limit past which Redis disconnects a subscriber (32 MB by default, {@code
     * client-output-buffer-limit pubsub}), so that a few such messages on their way to one subscriber fit.
     */
    public static final long DEFAULT_MAX_MESSAGE_SIZE = 8L * 1024 * 1024;
    /** How long a stop waits for Redis to answer the publishes already sent. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(2);
    /** How long after an unanswered unsubscribe the next ones do not wait for Redis. */
    private static final long UNANSWERED_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final RedisConnectionFactory connectionFactory;
    private final RedisMessageListenerContainer container = new RedisMessageListenerContainer();
    private final DroppedMessages dropped;
    private final OutageSettings outage;
    private final long maxMessageSize;
    private final String busId = UUID.randomUUID().toString();
    private final SubscriptionProbe probe;
    private volatile RedisConnection publishConnection;
    private volatile OutagePublisher publisher;
    private AbstractRedisClient client;
    private RedisConnectionStateListener connectionEvents;
    /** The client's pub/sub connections seen connecting, among them the one carrying this bus's subscriptions. */
    private final Set<RedisChannelHandler<?, ?>> pubSubConnections = ConcurrentHashMap.newKeySet();
    /** How often {@link #watch} checks a quiet subscription, and its probes' timeout; null: not watched. */
    private Duration watchInterval;
    private Duration watchProbeTimeout;
    private SilentSubscriptionWatch watch;
    private final Set<String> subscribedChannels = ConcurrentHashMap.newKeySet();
    /** Closed while Redis was unreachable: still registered with the container, no longer delivered to. */
    private final Queue<Detached> detached = new ConcurrentLinkedQueue<>();
    /**
     * Where the container's unsubscribes run, so that their caller can stop waiting: one interrupted there cancels
     * its command, and the container's lock is free again.
     */
    private final ExecutorService containerCalls = daemonThread("distributor-unsubscribe-");
    /**
     * Where detached listeners are unsubscribed, off the threads that must not wait for Redis (Lettuce's, the
     * event loops): one thread, whatever the number of closes.
     */
    private final ExecutorService detachedCalls = daemonThread("distributor-detached-");
    /**
     * When an unsubscribe last got no answer in time (System.nanoTime), or 0: for {@link #UNANSWERED_NANOS} after,
     * the next ones are detached without waiting, as in an outage.
     */
    private volatile long lastUnanswered;
    private final LongAdder published = new LongAdder();
    private final LongAdder received = new LongAdder();
    /** Deliveries over: fewer than {@link #received} while one is under way on the delivery thread. */
    private final LongAdder handled = new LongAdder();
    private final LongAdder subscriptionsReplaced = new LongAdder();
    private boolean closed;
    /** Whether the bus ran and was stopped: a publish then fails instead of throwing. */
    private volatile boolean stopped;
    /** Stopped by {@link #suspend()}, to start again. */
    private boolean suspended;

    /** A bus with the default channel prefix and outage settings ({@link OutageSettings#defaults()}). */
    public RedisMessageBus(RedisConnectionFactory connectionFactory, DroppedMessages dropped) {
        this(connectionFactory, dropped, new ChannelNames("sio"), OutageSettings.defaults());
    }

    /**
     * With messages of up to {@link #DEFAULT_MAX_MESSAGE_SIZE} bytes.
     *
     * @param channels names the bus's own probe channel ({@link ChannelNames#probe})
     */
    public RedisMessageBus(RedisConnectionFactory connectionFactory, DroppedMessages dropped, ChannelNames channels,
            OutageSettings outage) {
        this(connectionFactory, dropped, channels, outage, DEFAULT_MAX_MESSAGE_SIZE);
    }

    /**
     * @param channels names the bus's own probe channel ({@link ChannelNames#probe})
     * @param maxMessageSize the largest encoded message published, in bytes; a larger one fails with
     *        {@link MessageTooLargeException}. Keep it well under Redis's {@code client-output-buffer-limit pubsub}:
     *        a message over that limit disconnects every subscriber it is delivered to
     */
    public RedisMessageBus(RedisConnectionFactory connectionFactory, DroppedMessages dropped, ChannelNames channels,
            OutageSettings outage, long maxMessageSize) {
        this.connectionFactory = Objects.requireNonNull(connectionFactory, "connectionFactory");
        this.dropped = Objects.requireNonNull(dropped, "dropped");
        this.outage = Objects.requireNonNull(outage, "outage");
        if (maxMessageSize < 1) {
            throw new IllegalArgumentException("the largest message must be at least 1 byte, got " + maxMessageSize);
        }
        this.maxMessageSize = maxMessageSize;
        container.setConnectionFactory(connectionFactory);
        container.setTaskExecutor(new SyncTaskExecutor());
        container.setBeanName("distributorMessageListenerContainer");
        container.afterPropertiesSet();
        probe = new SubscriptionProbe(channels.probe(busId), busId);
        subscribe(probe.channel(), message -> {
            if (!probe.onMessage(message)) {
                dropped.record(Cause.MISROUTED, probe.channel(), message.getClass().getSimpleName()
                        + " is not this bus's probe");
            }
        });
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
        RedisClusterAsyncCommands<byte[], byte[]> commands = lettuce.getNativeConnection();
        StatefulConnection<byte[], byte[]> stateful = statefulConnection(commands);
        // an unknown kind of connection: only failed publishes will tell
        BooleanSupplier open = stateful == null ? () -> true : stateful::isOpen;
        OutagePublisher started = new OutagePublisher(commands, open, outage, dropped, busId.substring(0, 8));
        publisher = started;
        if (stateful != null && connectionFactory instanceof LettuceConnectionFactory factory
                && factory.getNativeClient() != null) {
            client = factory.getNativeClient();
            connectionEvents = new ConnectionEvents(stateful, started, this::unsubscribeDetachedInBackground,
                    pubSubConnections);
            client.addListener(connectionEvents);
        }
        container.start();
        startWatch();
    }

    /**
     * From {@link #start()} to {@link #stop()}, checks every {@code interval} that a quiet subscription still
     * delivers, and has its connection replaced when it went silent without closing ({@link SilentSubscriptionWatch}):
     * nothing else ends such a connection behind a proxy that keeps TCP open.
     *
     * @param interval how long the subscription may be quiet before a probe is sent
     * @param probeTimeout how long a probe message may take to come back
     */
    public synchronized void watchSubscription(Duration interval, Duration probeTimeout) {
        if (interval == null || interval.isNegative() || interval.isZero() || probeTimeout == null
                || probeTimeout.isNegative() || probeTimeout.isZero()) {
            throw new IllegalArgumentException("the subscription watch needs a positive interval and probe timeout, "
                    + "got " + interval + " and " + probeTimeout);
        }
        watchInterval = interval;
        watchProbeTimeout = probeTimeout;
        if (publisher != null && watch == null) {
            startWatch();
        }
    }

    /** How long a quiet subscription goes unchecked ({@link #watchSubscription}); empty when it is not watched. */
    public synchronized Optional<Duration> subscriptionCheckInterval() {
        return Optional.ofNullable(watchInterval);
    }

    private void startWatch() {
        if (watchInterval != null) {
            Duration probeTimeout = watchProbeTimeout;
            watch = new SilentSubscriptionWatch(this::received, this::delivering,
                    () -> checkSubscription(probeTimeout), this::reconnectSubscription, probeTimeout);
            watch.start(watchInterval, "distributor-subscription-watch-" + busId.substring(0, 8));
        }
    }

    /**
     * Closes the connection that carries this bus's subscriptions, for Lettuce to connect it again and subscribe its
     * channels anew; what is published to them meanwhile is lost. For a connection that is open but delivers
     * nothing ({@link SubscriptionCheck.Outcome#SILENT}), which nothing else ends. Never blocks.
     *
     * @return whether such a connection was found open and closed (not with a cluster or non-Lettuce factory)
     */
    public boolean reconnectSubscription() {
        byte[] probeChannel = probe.channel().getBytes(StandardCharsets.UTF_8);
        for (RedisChannelHandler<?, ?> connection : pubSubConnections) {
            if (connection.isClosed()) {
                pubSubConnections.remove(connection);
            } else if (connection.isOpen() && endpointOf(connection) instanceof PubSubEndpoint<?, ?> endpoint
                    && endpoint.getChannels().stream().anyMatch(
                            channel -> channel instanceof byte[] name && Arrays.equals(name, probeChannel))) {
                if (!connection.getOptions().isAutoReconnect()) {
                    // closed, it would stay closed: Lettuce connects again only when told to
                    log.warn("The subscription connection is not replaced: Lettuce's autoReconnect is off");
                    return false;
                }
                endpoint.disconnect();
                subscriptionsReplaced.increment();
                return true;
            }
        }
        return false;
    }

    private static RedisChannelWriter endpointOf(RedisChannelHandler<?, ?> connection) {
        RedisChannelWriter writer = connection.getChannelWriter();
        while (writer instanceof Delegating<?> wrapper && wrapper.getDelegate() instanceof RedisChannelWriter inner) {
            writer = inner;
        }
        return writer;
    }

    /**
     * Closes the connections while the connection factory is stopped under a running bus, to take new ones from it
     * on {@link #resume()}: a stopped factory closes its connections for good, and Lettuce does not reconnect them.
     * Spring's test context cache does that to the contexts it keeps between test classes (a pause stops the
     * factory, a restart starts it again). Publishes fail meanwhile, as after a stop. Does nothing unless the bus
     * runs.
     */
    public synchronized void suspend() {
        if (publisher != null) {
            stop();
            suspended = true;
        }
    }

    /** Whether {@link #suspend()} closed the connections, and no {@link #resume()} has opened them again. */
    public synchronized boolean isSuspended() {
        return suspended;
    }

    /** Takes new connections and subscribes everything again after {@link #suspend()}; else does nothing. */
    public synchronized void resume() {
        if (suspended && !closed) {
            suspended = false;
            stopped = false;
            start();
        }
    }

    private static StatefulConnection<byte[], byte[]> statefulConnection(
            RedisClusterAsyncCommands<byte[], byte[]> commands) {
        if (commands instanceof RedisAsyncCommands<byte[], byte[]> standalone) {
            return standalone.getStatefulConnection();
        }
        if (commands instanceof RedisAdvancedClusterAsyncCommands<byte[], byte[]> cluster) {
            return cluster.getStatefulConnection();
        }
        return null;
    }

    /**
     * Tells the publisher at once when its connection drops, even if it is back before anyone looks; once it is
     * back, what was closed meanwhile is unsubscribed.
     */
    private record ConnectionEvents(StatefulConnection<byte[], byte[]> connection, OutagePublisher publisher,
            Runnable onReconnected, Set<RedisChannelHandler<?, ?>> pubSubConnections)
            implements RedisConnectionStateListener {

        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
            if (handler == connection) {
                publisher.connectionLost();
            }
        }

        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
            if (handler instanceof StatefulRedisPubSubConnection<?, ?>) {
                // the application's own pub/sub connections come and go on the same client
                pubSubConnections.removeIf(RedisChannelHandler::isClosed);
                pubSubConnections.add(handler);
            }
            if (handler == connection) {
                publisher.connectionRestored();
                onReconnected.run();
            }
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>While Redis is unreachable the publish is held (policy {@link OutagePolicy#BUFFER}) and completes once
     * it reached Redis after the outage, or fails at once with {@link RedisUnavailableException} (policy
     * {@link OutagePolicy#REJECT}, or the limit reached); refusals and failures are counted as
     * {@link Cause#REDIS_UNAVAILABLE}.
     */
    @Override
    public CompletableFuture<Long> publish(String channel, Message message) {
        OutagePublisher current = publisher;
        if (current == null) {
            if (!stopped) {
                throw new IllegalStateException("the message bus is not started");
            }
            // a handler still running while the application stops: its emit fails, as in an outage, not its thread
            String why = "the message bus is stopped: not published";
            dropped.record(Cause.REDIS_UNAVAILABLE, channel, why);
            return CompletableFuture.failedFuture(new RedisUnavailableException(why));
        }
        // a message that cannot be encoded (a name with a lone surrogate) throws to the caller, and is not counted
        byte[] body = MessageCodec.encode(message);
        published.increment();
        if (body.length > maxMessageSize) {
            MessageTooLargeException tooLarge = new MessageTooLargeException(message.getClass().getSimpleName(),
                    body.length, maxMessageSize);
            dropped.record(Cause.TOO_LARGE, channel, tooLarge.getMessage());
            return CompletableFuture.failedFuture(tooLarge);
        }
        return current.publish(channel, body);
    }

    /**
     * Checks end to end that the subscription delivers: publishes a probe message to itself and waits, at most
     * {@code timeout}, for it to come back. Never blocks; concurrent checks share one probe.
     */
    public CompletableFuture<SubscriptionCheck> checkSubscription(Duration timeout) {
        OutagePublisher current = publisher;
        if (current == null) {
            return CompletableFuture.completedFuture(SubscriptionCheck.of(SubscriptionCheck.Outcome.UNKNOWN,
                    "the message bus is not started"));
        }
        return probe.check(current, timeout);
    }

    /** Whether publishes go straight to Redis, and how many wait. */
    public PublishState publishState() {
        OutagePublisher current = publisher;
        return current == null ? new PublishState(PublishState.Phase.STOPPED, 0) : current.state();
    }

    /** Messages handed to {@link #publish} (whether Redis then took them or not: see {@link #dropped()}). */
    public long published() {
        return published.sum();
    }

    /** Messages Redis delivered on this bus's subscriptions, well-formed or not. */
    public long received() {
        return received.sum();
    }

    /** Whether a message is being handled on the delivery thread right now. */
    boolean delivering() {
        return received.sum() != handled.sum();
    }

    /** How many times {@link #reconnectSubscription()} closed the subscription's connection. */
    public long subscriptionsReplaced() {
        return subscriptionsReplaced.sum();
    }

    public OutageSettings outageSettings() {
        return outage;
    }

    @Override
    public long maxMessageSize() {
        return maxMessageSize;
    }

    /**
     * {@inheritDoc}
     *
     * @throws RedisUnavailableException when the bus runs and Redis is unreachable: the subscribe would wait for
     *         the client's whole command timeout and then fail; subscribe again once Redis is back
     */
    @Override
    public Subscription subscribe(String channel, Consumer<Message> handler) {
        if (container.isListening() && !isConnected()) {
            throw new RedisUnavailableException("Redis is unreachable: cannot subscribe to " + channel + " now");
        }
        if (!subscribedChannels.add(channel)) {
            throw new IllegalStateException("channel " + channel + " already has a handler on this message bus; "
                    + "give each worker and backend of one JVM different channels or a bus of its own");
        }
        AtomicBoolean open = new AtomicBoolean(true);
        MessageListener listener = (redisMessage, pattern) -> {
            if (open.get()) {
                deliver(channel, redisMessage.getBody(), handler);
            }
        };
        ChannelTopic topic = ChannelTopic.of(channel);
        if (onEventLoop()) {
            // a handler that subscribes runs on the Redis delivery thread, the one thread that could read Redis's
            // answer: waiting for it there waits for the command timeout (a minute), and no message is delivered
            // meanwhile. Subscribed in the background instead; messages flow once Redis confirmed it, as they would
            subscribeInBackground(channel, listener, topic, open);
        } else {
            addListener(channel, listener, topic, open);
        }
        return () -> {
            if (!open.compareAndSet(true, false)) {
                return;
            }
            subscribedChannels.remove(channel);
            if (onEventLoop()) {
                // as for a subscribe: a handler closing its own subscription would wait for an answer only its
                // thread could read
                detached.add(new Detached(listener, topic));
                unsubscribeDetachedInBackground();
                return;
            }
            if (container.isListening() && (!isConnected() || unsubscribesGoUnanswered())) {
                detached.add(new Detached(listener, topic));
                log.debug("Redis is unreachable or does not answer: {} is unsubscribed once it is back", channel);
                return;
            }
            if (unsubscribe(listener, topic)) {
                // Redis answers again: what was set aside meanwhile goes too
                unsubscribeDetachedInBackground();
            } else {
                detached.add(new Detached(listener, topic));
            }
        };
    }

    private void addListener(String channel, MessageListener listener, ChannelTopic topic, AtomicBoolean open) {
        try {
            container.addMessageListener(listener, topic);
        } catch (RuntimeException e) {
            // the container keeps the listener though Redis never confirmed it: silenced, the channel free for a
            // subscribe that works (unless closed meanwhile, which freed it already: it may be another's by now), and
            // the listener taken out once Redis is back
            if (open.getAndSet(false)) {
                subscribedChannels.remove(channel);
            }
            detached.add(new Detached(listener, topic));
            throw e;
        }
    }

    private void subscribeInBackground(String channel, MessageListener listener, ChannelTopic topic,
            AtomicBoolean open) {
        try {
            containerCalls.execute(() -> {
                try {
                    addListener(channel, listener, topic, open);
                } catch (RuntimeException e) {
                    log.warn("Could not subscribe to {}: {}", channel, e.toString());
                }
            });
        } catch (RejectedExecutionException closed) {
            open.set(false);
            subscribedChannels.remove(channel);
            throw new IllegalStateException("the message bus is closed: cannot subscribe to " + channel, closed);
        }
    }

    /** Whether this thread is a Netty event loop's (Lettuce's delivery thread among them), which must not wait. */
    private static boolean onEventLoop() {
        return ThreadExecutorMap.currentExecutor() != null;
    }

    private record Detached(MessageListener listener, ChannelTopic topic) {
    }

    /**
     * Waits for Redis's answer as long as the container waits for a subscription's confirmation at most, not for
     * Lettuce's whole command timeout (a minute by default). Tells whether the unsubscribe ended in time (failed
     * or not: a connection already gone has nothing left to unsubscribe from). If not, the container has forgotten
     * the listener already (it does before it sends the UNSUBSCRIBE), unless the call was still queued: the caller
     * keeps it with the detached ones for that case. What may be left is Redis's side of the subscription, whose
     * messages then reach no listener, until the connection ends. For a while after, the next ones do not wait: a
     * bus that closes many subscriptions in a hung Redis would wait for each in turn.
     */
    private boolean unsubscribe(MessageListener listener, ChannelTopic topic) {
        Future<?> done;
        try {
            done = containerCalls.submit(() -> container.removeMessageListener(listener, topic));
        } catch (RejectedExecutionException closed) {
            return false; // the bus is closed: the container is gone with its subscriptions
        }
        long bound = container.getMaxSubscriptionRegistrationWaitingTime();
        try {
            done.get(bound, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            log.debug("Could not unsubscribe from {}", topic.getTopic(), e.getCause());
        } catch (TimeoutException e) {
            done.cancel(true);
            long now = System.nanoTime();
            lastUnanswered = now == 0 ? 1 : now;
            log.warn("Redis did not answer the unsubscribe from {} within {} ms: going on without its answer, and "
                    + "without waiting for the next ones for {} s", topic.getTopic(), bound,
                    TimeUnit.NANOSECONDS.toSeconds(UNANSWERED_NANOS));
            return false;
        } catch (InterruptedException e) {
            done.cancel(true);
            Thread.currentThread().interrupt();
            return false;
        }
        lastUnanswered = 0;
        return true;
    }

    private boolean unsubscribesGoUnanswered() {
        long at = lastUnanswered;
        return at != 0 && System.nanoTime() - at < UNANSWERED_NANOS;
    }

    private void unsubscribeDetached() {
        List<Detached> unanswered = new ArrayList<>();
        for (Detached gone = detached.poll(); gone != null; gone = detached.poll()) {
            if (!unsubscribe(gone.listener(), gone.topic())) {
                unanswered.add(gone);
            }
        }
        detached.addAll(unanswered);
    }

    /** On a Lettuce thread, which must not wait for Redis: the unsubscribes run on a thread of their own. */
    private void unsubscribeDetachedInBackground() {
        if (!detached.isEmpty()) {
            try {
                detachedCalls.execute(this::unsubscribeDetached);
            } catch (RejectedExecutionException closed) {
                // the bus is closed: the container is gone with its subscriptions
            }
        }
    }

    private ExecutorService daemonThread(String name) {
        return Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, name + busId.substring(0, 8));
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public boolean isConnected() {
        OutagePublisher current = publisher;
        return current != null && current.isConnected();
    }

    private void deliver(String channel, byte[] body, Consumer<Message> handler) {
        received.increment();
        try {
            if (body.length > maxMessageSize) {
                // from a process with a larger limit (the limits differ: a rolling change of it), or not from a
                // distributor at all: reading it could take many times its size
                dropped.record(Cause.TOO_LARGE, channel, "a message of " + body.length + " bytes, over the limit of "
                        + maxMessageSize + " (distributor.redis.max-message-size): not read");
                return;
            }
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
            } catch (RuntimeException | StackOverflowError | LinkageError | AssertionError e) {
                // an Error out of here would reach the subscriber's own loop; only the JVM's fatal ones
                // (OutOfMemoryError) go on
                dropped.record(Cause.HANDLER_FAILED, channel, e.toString());
                if (log.isDebugEnabled()) {
                    log.debug("Handler failed for {} on {}", LoggedText.of(message.toString()), channel, e);
                }
            }
        } finally {
            handled.increment();
        }
    }

    /**
     * True once the listener container has subscribed; it stays true while Lettuce reconnects the subscription,
     * so this says nothing about a Redis outage: see {@link #checkSubscription}.
     */
    public boolean isListening() {
        return container.isListening();
    }

    @Override
    public DroppedMessages dropped() {
        return dropped;
    }

    /** Unsubscribes and releases the publishing connection; {@link #start()} may follow. */
    public synchronized void stop() {
        if (watch != null) {
            watch.close();
            watch = null;
        }
        container.stop();
        // no longer listening: the container only forgets them
        unsubscribeDetached();
        if (connectionEvents != null) {
            client.removeListener(connectionEvents);
            connectionEvents = null;
            client = null;
            pubSubConnections.clear();
        }
        OutagePublisher current = publisher;
        if (current != null) {
            // before the publisher goes: a publish that finds none must find this
            stopped = true;
        }
        publisher = null;
        if (current != null) {
            // what was published just before (a backend's last release of a socket) must not die with the connection
            current.awaitSent(STOP_WAIT);
            current.close();
        }
        if (publishConnection != null) {
            publishConnection.close();
            publishConnection = null;
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
        containerCalls.shutdownNow();
        detachedCalls.shutdownNow();
    }
}
