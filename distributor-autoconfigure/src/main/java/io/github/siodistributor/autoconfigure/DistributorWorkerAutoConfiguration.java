package io.github.siodistributor.autoconfigure;

import static io.github.siodistributor.autoconfigure.PropertyChecks.atLeast;
import static io.github.siodistributor.autoconfigure.PropertyChecks.atLeastOneByte;
import static io.github.siodistributor.autoconfigure.PropertyChecks.bytes;
import static io.github.siodistributor.autoconfigure.PropertyChecks.named;
import static io.github.siodistributor.autoconfigure.PropertyChecks.port;
import static io.github.siodistributor.autoconfigure.PropertyChecks.positive;

import io.github.siodistributor.autoconfigure.failure.NoNamespaceToServeException;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import io.github.siodistributor.backend.runtime.AnnotatedNamespaceHandler;
import io.github.siodistributor.core.engine.EngineSettings;
import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.ServedNamespaces;
import io.github.siodistributor.core.protocol.SocketIds;
import io.github.siodistributor.core.protocol.WorkerAddress;
import io.github.siodistributor.core.transport.BackendRegistry;
import io.github.siodistributor.core.transport.RedisMessageBus;
import io.github.siodistributor.core.transport.WorkerLeases;
import io.github.siodistributor.core.worker.BackendRouting;
import io.github.siodistributor.core.worker.DistributorWorker;
import io.github.siodistributor.core.worker.WorkerEventLoops;
import io.github.siodistributor.core.worker.WorkerSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ClassUtils;

/** The worker role: a Socket.IO server that forwards its clients to the backends over Redis. */
@AutoConfiguration(after = DistributorRedisAutoConfiguration.class)
@ConditionalOnBean(RedisMessageBus.class)
@ConditionalOnBooleanProperty(name = "distributor.worker.enabled", matchIfMissing = true)
public class DistributorWorkerAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(DistributorWorkerAutoConfiguration.class);

    /** Room for a client message's envelope on Redis: the connect handshake's headers (16 KB at most) and URL. */
    private static final long ENVELOPE_ROOM = 64 * 1024;

    @Bean
    @ConditionalOnMissingBean
    WorkerSettings distributorWorkerSettings(DistributorProperties properties, ChannelNames channels,
            ListableBeanFactory beans) {
        DistributorProperties.Worker worker = properties.getWorker();
        List<String> namespaces = worker.getNamespaces().isEmpty() ? handlerNamespaces(beans)
                : named("distributor.worker.namespaces", () -> {
                    worker.getNamespaces().forEach(ServedNamespaces::requireValid);
                    return worker.getNamespaces();
                });
        if (!worker.getNamespaces().isEmpty() && properties.getBackend().isEnabled()) {
            warnOfHandlersNotAccepted(new ServedNamespaces(namespaces), handlerNamespaces(beans));
        }
        if (namespaces.isEmpty()) {
            throw new NoNamespaceToServeException();
        }
        int port = port(worker.getPort(), "distributor.worker.port");
        String advertised = worker.getAdvertisedAddress();
        if (advertised != null) {
            named("distributor.worker.advertised-address", () -> WorkerAddress.parse(advertised, port == 0 ? 1 : port));
        }
        String id = named("distributor.worker.id", () -> SocketIds.requireValidWorkerId(worker.getId()));
        return new WorkerSettings(id, worker.getHost(), port, namespaces, channels, advertised);
    }

    @Bean
    @ConditionalOnMissingBean
    EngineSettings distributorEngineSettings(DistributorProperties properties) {
        DistributorProperties.Worker worker = properties.getWorker();
        return new EngineSettings(positive(worker.getPingInterval(), "distributor.worker.ping-interval"),
                positive(worker.getPingTimeout(), "distributor.worker.ping-timeout"),
                bytes(worker.getMaxPayload(), "distributor.worker.max-payload"),
                positive(worker.getUpgradeTimeout(), "distributor.worker.upgrade-timeout"),
                positive(worker.getConnectTimeout(), "distributor.worker.connect-timeout"), worker.getCorsOrigins(),
                PropertyChecks.atLeastOne(worker.getMaxPendingSessions(), "distributor.worker.max-pending-sessions"),
                named("distributor.worker.allowed-origins",
                        () -> EngineSettings.requireValidOrigins(worker.getAllowedOrigins())));
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    DistributorWorker distributorWorker(WorkerSettings settings, EngineSettings engineSettings, RedisMessageBus bus,
            WorkerLeases leases, BackendRegistry registry, DistributorProperties properties,
            ObjectProvider<WorkerEventLoops> loops) {
        DistributorProperties.Worker worker = properties.getWorker();
        requireClientMessagesFit(engineSettings.maxPayload(), bus.maxMessageSize());
        Duration checkInterval = positive(worker.getBackendCheckInterval(), "distributor.worker.backend-check-interval");
        Duration lossGrace = positive(worker.getBackendLossGrace(), "distributor.worker.backend-loss-grace");
        Duration handoverTimeout = positive(worker.getHandoverTimeout(), "distributor.worker.handover-timeout");
        long heldEventsSize = atLeastOneByte(worker.getHeldEventsSize(), "distributor.worker.held-events-size");
        // the durations and the size are checked above: what is left to refuse is the limit
        BackendRouting routing = named("distributor.worker.held-events-limit", () -> new BackendRouting(checkInterval,
                lossGrace, worker.getWhenNoBackend(), worker.getHeldEventsLimit(), heldEventsSize, handoverTimeout));
        return new DistributorWorker(settings, engineSettings, bus, leases, atLeast(WorkerLeases.MINIMUM_TTL,
                worker.getLeaseTtl(), "distributor.worker.lease-ttl"), registry, routing, loops.getIfAvailable());
    }

    /**
     * A client's largest message goes on to Redis whole, with its envelope (the handshake's headers, for a
     * connect): were it larger than the bus publishes, the client would wait in vain for the answer. And a socket's
     * description (its connect's auth, up to max-payload, with its data, up to half a message) must fit in one
     * message when it moves to another backend instance or is fetched.
     */
    private static void requireClientMessagesFit(long maxPayload, long maxMessageSize) {
        if (maxPayload + ENVELOPE_ROOM > maxMessageSize / 2) {
            throw new IllegalArgumentException("distributor.worker.max-payload (" + maxPayload + " bytes) must be at "
                    + "least " + ENVELOPE_ROOM + " bytes under half of distributor.redis.max-message-size ("
                    + maxMessageSize + " bytes): a socket's description, its connect's auth with its data (up to the "
                    + "other half), goes to Redis in one message");
        }
    }

    /**
     * A namespace this process handles that its own worker, told which namespaces to accept, turns away: most likely
     * one left out of the list (its clients get "Invalid namespace" and nothing says why).
     */
    private static void warnOfHandlersNotAccepted(ServedNamespaces accepted, List<String> handled) {
        List<String> turnedAway = handled.stream()
                .filter(namespace -> !ServedNamespaces.isPattern(namespace) && accepted.specFor(namespace) == null)
                .toList();
        if (!turnedAway.isEmpty()) {
            log.warn("This process handles {}, but its worker does not accept {} (distributor.worker.namespaces={}): "
                    + "its clients get \"Invalid namespace\" for {}", turnedAway, turnedAway.size() == 1 ? "it"
                    : "them", accepted.specs(), turnedAway.size() == 1 ? "it" : "them");
        }
    }

    /** The handler beans' namespaces, read from the bean definitions: no handler bean is created for this. */
    private static List<String> handlerNamespaces(ListableBeanFactory beans) {
        List<String> namespaces = new ArrayList<>();
        for (String name : beans.getBeanNamesForAnnotation(SocketNamespace.class)) {
            SocketNamespace annotation = beans.findAnnotationOnBean(name, SocketNamespace.class);
            if (annotation == null) {
                continue;
            }
            // checked here, where the bean is known: the worker's own check would name the namespace only
            String namespace = AnnotatedNamespaceHandler.validNamespace(annotation,
                    ClassUtils.getUserClass(beans.getType(name)));
            if (!namespaces.contains(namespace)) {
                namespaces.add(namespace);
            }
        }
        return namespaces;
    }
}
