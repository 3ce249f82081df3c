package io.github.siodistributor.core.transport;

import io.github.siodistributor.core.protocol.Message.Custom;
import io.github.siodistributor.core.protocol.Message;
import io.github.siodistributor.core.protocol.MessageCodec;
import io.github.siodistributor.core.transport.SubscriptionCheck.Outcome;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Tells whether a bus's subscription really delivers: it publishes a {@link Custom} message on a channel only
 * this bus subscribes to and waits for it to come back. A live connection proves nothing here: Lettuce may be
 * connected for publishing while the subscriber connection is gone (killed, or refused on reconnect), and the
 * listener container still says it is listening. PUBLISH answering zero receivers gives the dead case away at
 * once; otherwise the message must arrive within the timeout.
 */
final class SubscriptionProbe {

    /** The topic of the probe messages (they travel as {@link Custom} on the bus's own probe channel). */
    static final String TOPIC = "probe";

    private final String channel;
    private final String busId;
    private long sequence;
    /** The probe under way, if any; checks asked for meanwhile share it. */
    private Probe current;

    /** One probe message on its way; {@code receivers} is Redis's answer to its publish, -1 until it came. */
    private static final class Probe {
        final long sequence;
        final CompletableFuture<SubscriptionCheck> result = new CompletableFuture<>();
        volatile long receivers = -1;

        Probe(long sequence) {
            this.sequence = sequence;
        }
    }

    SubscriptionProbe(String channel, String busId) {
        this.channel = channel;
        this.busId = busId;
    }

    String channel() {
        return channel;
    }

    /** Starts a probe, or joins the one under way; never blocks. */
    CompletableFuture<SubscriptionCheck> check(OutagePublisher publisher, Duration timeout) {
        Probe probe;
        synchronized (this) {
            if (current != null && !current.result.isDone()) {
                return current.result.copy();
            }
            probe = new Probe(++sequence);
            current = probe;
        }
        CompletableFuture<SubscriptionCheck> result = probe.result;
        CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .execute(() -> result.complete(timedOut(probe, timeout)));
        if (!publisher.isConnected()) {
            result.complete(SubscriptionCheck.of(Outcome.UNREACHABLE,
                    "no connection to Redis (Lettuce is reconnecting)"));
            return result.copy();
        }
        byte[] body = MessageCodec.encode(new Custom(TOPIC, busId, ByteBuffer.allocate(Long.BYTES)
                .putLong(probe.sequence).array()));
        publisher.publishNow(channel, body).whenComplete((receivers, failure) -> {
            if (failure != null) {
                result.complete(SubscriptionCheck.of(Outcome.UNREACHABLE, "could not publish the probe message: "
                        + failure.getMessage()));
            } else if (receivers == 0) {
                result.complete(SubscriptionCheck.of(Outcome.NOT_SUBSCRIBED, "Redis is reachable, but the "
                        + "subscription is not: the probe message reached no subscriber"));
            } else {
                probe.receivers = receivers;
            }
        });
        return result.copy();
    }

    private static SubscriptionCheck timedOut(Probe probe, Duration timeout) {
        if (probe.receivers < 0) {
            return SubscriptionCheck.of(Outcome.UNREACHABLE, "Redis did not answer the probe message's publish "
                    + "within " + timeout.toMillis() + " ms");
        }
        return SubscriptionCheck.of(Outcome.SILENT, "the probe message was not delivered back through the "
                + "subscription within " + timeout.toMillis() + " ms, though Redis took it for " + probe.receivers
                + (probe.receivers == 1 ? " subscriber" : " subscribers"));
    }

    /** A message on the probe channel (on the bus's delivery thread); false when it is not this bus's probe. */
    boolean onMessage(Message message) {
        if (!(message instanceof Custom custom) || !TOPIC.equals(custom.topic()) || !busId.equals(custom.senderId())
                || custom.body().length != Long.BYTES) {
            return false;
        }
        long received = ByteBuffer.wrap(custom.body()).getLong();
        Probe probe;
        synchronized (this) {
            probe = current;
        }
        // an earlier probe's message arriving after its timeout must not vouch for the current one
        if (probe != null && probe.sequence == received) {
            probe.result.complete(SubscriptionCheck.of(Outcome.DELIVERED,
                    "the subscription delivered a probe message"));
        }
        return true;
    }
}
