package io.github.siodistributor.core.metrics;

/**
 * Where a measured duration goes. The core measures, a metrics binding (Micrometer's Timer, in the Spring Boot
 * auto-configuration) records; without one, {@link #IGNORED} drops it.
 */
@FunctionalInterface
public interface Latency {

    /** Records nothing: the default until a metrics binding sets its own. */
    Latency IGNORED = nanos -> { };

    void record(long nanos);

    /** Records to this and then to {@code other}: a namespace bound to two meter registries feeds both. */
    default Latency and(Latency other) {
        if (this == IGNORED) {
            return other;
        }
        return nanos -> {
            record(nanos);
            other.record(nanos);
        };
    }
}
