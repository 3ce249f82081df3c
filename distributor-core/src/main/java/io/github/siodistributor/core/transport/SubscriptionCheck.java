package io.github.siodistributor.core.transport;

/**
 * The outcome of one end-to-end check of a bus's subscription (see {@link RedisMessageBus#checkSubscription}).
 *
 * @param outcome what the probe message did
 * @param detail what was seen, for a health report
 */
public record SubscriptionCheck(Outcome outcome, String detail) {

    /** What became of the probe message a check publishes to its own bus. */
    public enum Outcome {
        /** It came back through the subscription. */
        DELIVERED,
        /**
         * Redis took it for a subscriber of the bus's probe channel, and it did not come back within the timeout:
         * the subscription connection looks up to Redis but delivers nothing (or is far behind).
         */
        SILENT,
        /** Redis answered that nobody subscribes to the bus's probe channel. */
        NOT_SUBSCRIBED,
        /** Redis could not be asked: no connection, a failed publish, or no answer to it within the timeout. */
        UNREACHABLE,
        /** The check itself did not complete (interrupted, or the bus is not started). */
        UNKNOWN
    }

    /** Whether a message the bus published came back through its own subscription. */
    public boolean alive() {
        return outcome == Outcome.DELIVERED;
    }

    static SubscriptionCheck of(Outcome outcome, String detail) {
        return new SubscriptionCheck(outcome, detail);
    }
}
