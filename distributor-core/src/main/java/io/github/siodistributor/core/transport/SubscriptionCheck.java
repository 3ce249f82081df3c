package io.github.siodistributor.core.transport;

/**
 * The outcome of one end-to-end check of a bus's subscription (see {@link RedisMessageBus#checkSubscription}).
 *
 * @param alive whether a message the bus published came back through its own subscription
 * @param detail what was seen, for a health report
 */
public record SubscriptionCheck(boolean alive, String detail) {

    static SubscriptionCheck alive(String detail) {
        return new SubscriptionCheck(true, detail);
    }

    static SubscriptionCheck dead(String detail) {
        return new SubscriptionCheck(false, detail);
    }
}
