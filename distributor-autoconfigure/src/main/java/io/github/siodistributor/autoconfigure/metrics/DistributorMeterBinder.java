package io.github.siodistributor.autoconfigure.metrics;

import io.github.siodistributor.backend.runtime.DistributorBackend;
import io.github.siodistributor.core.engine.EngineServer;
import io.github.siodistributor.core.metrics.NamespaceStats;
import io.github.siodistributor.core.transport.DroppedMessages;
import io.github.siodistributor.core.transport.DroppedMessages.Cause;
import io.github.siodistributor.core.transport.RedisMessageBus;
import io.github.siodistributor.core.worker.DistributorWorker;
import io.github.siodistributor.core.worker.WorkerStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * The distributor's meters (listed in docs/metrics.md). The core counts with LongAdders that a message
 * increments without allocating; this binder only reads them ({@link FunctionCounter}, {@link Gauge}) and hands
 * the core a pre-built {@link Timer} per namespace for the two durations it measures. A namespace's meters are
 * registered once, when the role first sees the namespace; a disconnect reason's once, when it first occurs.
 */
public class DistributorMeterBinder implements MeterBinder {

    /** The {@code worker} tag of a backend's meters. */
    static final String NOT_A_WORKER = "none";

    private final RedisMessageBus bus;
    private final DistributorWorker worker;
    private final DistributorBackend backend;

    /** @param worker the worker of this application, or null; @param backend likewise */
    public DistributorMeterBinder(RedisMessageBus bus, DistributorWorker worker, DistributorBackend backend) {
        this.bus = bus;
        this.worker = worker;
        this.backend = backend;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        counter(registry, "distributor.redis.published", Tags.empty(), bus, RedisMessageBus::published,
                "Messages this application published on the distributor's Redis channels");
        counter(registry, "distributor.redis.received", Tags.empty(), bus, RedisMessageBus::received,
                "Messages Redis delivered on the distributor's subscriptions");
        counter(registry, "distributor.redis.subscription.replaced", Tags.empty(), bus,
                RedisMessageBus::subscriptionsReplaced,
                "Subscription connections closed and connected again because they delivered nothing though open");
        DroppedMessages dropped = bus.dropped();
        for (Cause cause : Cause.values()) {
            counter(registry, "distributor.messages.dropped", Tags.of("cause", cause.name().toLowerCase(Locale.ROOT)),
                    dropped, each -> each.count(cause), "Messages dropped instead of delivered, by cause");
        }
        if (worker != null) {
            bindWorker(registry);
        }
        if (backend != null) {
            // the same tag keys as the worker's meters of the same names: registries such as Prometheus need that
            Tags tags = Tags.of("role", "backend", "worker", NOT_A_WORKER);
            counter(registry, "distributor.acks.late", tags, dropped, each -> each.count(Cause.LATE_REPLY),
                    "Answers (client acks, fetch results) that came after their request had finished");
            backend.stats().onNamespace(namespace -> bindNamespace(registry, tags, namespace, false));
        }
    }

    private void bindWorker(MeterRegistry registry) {
        Tags tags = Tags.of("role", "worker", "worker", worker.id());
        Gauge.builder("distributor.connections", worker.engine(), EngineServer::sessionCount).tags(tags)
                .description("Engine.IO connections (clients) open on this worker").register(registry);
        counter(registry, "distributor.events.discarded", tags, worker.stats(), WorkerStats::volatilePacketsDiscarded,
                "Volatile broadcast packets not sent because the client could not take them at once");
        Gauge.builder("distributor.events.held.bytes", worker, DistributorWorker::heldEventBytes).tags(tags)
                .baseUnit("bytes").description("Bytes of client events waiting on this worker for a backend instance "
                        + "(bounded by distributor.worker.held-events-size)").register(registry);
        for (String spec : worker.settings().namespaces()) {
            Gauge.builder("distributor.backend.instances", worker, each -> liveInstances(each, spec))
                    .tags(tags.and("namespace", spec))
                    .description("Live backend instances of the namespace, as this worker last read the registry")
                    .register(registry);
        }
        worker.stats().namespaces().onNamespace(namespace -> bindNamespace(registry, tags, namespace, true));
    }

    private static double liveInstances(DistributorWorker worker, String spec) {
        List<String> live = worker.backendInstances().get(spec);
        return live == null ? 0 : live.size();
    }

    private static void bindNamespace(MeterRegistry registry, Tags roleTags, NamespaceStats namespace,
            boolean onWorker) {
        Tags tags = roleTags.and("namespace", namespace.spec());
        counter(registry, "distributor.clients.connects", tags, namespace, NamespaceStats::connects,
                "Sockets let into the namespace");
        namespace.onDisconnectReason((reason, count) -> counter(registry, "distributor.clients.disconnects",
                tags.and("reason", reason), count, LongAdder::sum, "Sockets that left the namespace, by reason"));
        counter(registry, "distributor.events.in", tags, namespace, NamespaceStats::eventsIn,
                onWorker ? "Events received from clients for the backends" : "Client events handed to the handlers");
        counter(registry, "distributor.events.out", tags, namespace, NamespaceStats::eventsOut, onWorker
                ? "Events written to clients (each recipient of a broadcast counts)"
                : "Events the backend emitted to single sockets");
        counter(registry, "distributor.acks.sent", tags, namespace, NamespaceStats::acksSent, onWorker
                ? "Backend answers to client acks written to the clients" : "Answers to client acks sent by handlers");
        counter(registry, "distributor.acks.received", tags, namespace, NamespaceStats::acksReceived, onWorker
                ? "Client answers to backend emits with ack, forwarded to the backends"
                : "Client answers to this backend's emits with ack");
        counter(registry, "distributor.broadcasts", tags, namespace, NamespaceStats::broadcasts, onWorker
                ? "Broadcasts received from the backends" : "Broadcasts published");
        if (onWorker) {
            Gauge.builder("distributor.clients.connected", namespace, NamespaceStats::connectedNow).tags(tags)
                    .description("Sockets connected to the namespace on this worker").register(registry);
            Timer latency = Timer.builder("distributor.acks.latency").tags(tags)
                    .description("From a client's event asking for an ack to the backend's answer written back")
                    .register(registry);
            namespace.recordAckLatencyWith(nanos -> latency.record(nanos, TimeUnit.NANOSECONDS));
        } else {
            counter(registry, "distributor.acks.timed.out", tags, namespace, NamespaceStats::acksTimedOut,
                    "Emits with ack (to a socket or a broadcast) whose answers did not all come in time");
            Timer handlerTime = Timer.builder("distributor.handler.duration").tags(tags)
                    .description("Time the event handler methods took").register(registry);
            namespace.recordHandlerTimeWith(nanos -> handlerTime.record(nanos, TimeUnit.NANOSECONDS));
        }
    }

    private static <T> void counter(MeterRegistry registry, String name, Tags tags, T source,
            ToDoubleFunction<T> count, String description) {
        FunctionCounter.builder(name, source, count).tags(tags).description(description).register(registry);
    }
}
