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
}
