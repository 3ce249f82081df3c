package io.github.siodistributor.autoconfigure.health;

import io.github.siodistributor.core.transport.DroppedMessages.Cause;
import io.github.siodistributor.core.transport.PublishState;
import io.github.siodistributor.core.transport.RedisMessageBus;
import io.github.siodistributor.core.transport.SubscriptionCheck;
import io.github.siodistributor.core.transport.SubscriptionCheck.Outcome;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.boot.health.contributor.Health;

/** The part of a role's health that is its Redis bus: a subscription that delivers, and how publishing stands. */
final class SubscriptionHealth {

    private final RedisMessageBus bus;
    private final Duration probeTimeout;

    SubscriptionHealth(RedisMessageBus bus, Duration probeTimeout) {
        this.bus = bus;
        this.probeTimeout = probeTimeout;
    }

    /** Probes the subscription (on the caller's thread, at most the probe timeout) and adds the bus's details. */
    SubscriptionCheck check(Health.Builder builder) {
        SubscriptionCheck check = await();
        PublishState publishing = bus.publishState();
        builder.withDetail("subscription", check.detail())
                .withDetail("publishing", publishing.phase().name().toLowerCase(Locale.ROOT))
                .withDetail("heldMessages", publishing.held())
                .withDetail("notPublished", bus.dropped().count(Cause.REDIS_UNAVAILABLE)
                        + bus.dropped().count(Cause.REDIS_BACKLOG));
        return check;
    }

    private SubscriptionCheck await() {
        try {
            // the probe times itself out; the margin only guards against a probe that never completes
            return bus.checkSubscription(probeTimeout).get(probeTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new SubscriptionCheck(Outcome.UNKNOWN, "interrupted while probing the subscription");
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            // a health check reports what failed, it does not fail itself
            return new SubscriptionCheck(Outcome.UNKNOWN, "the subscription probe did not complete: " + e);
        }
    }
}
