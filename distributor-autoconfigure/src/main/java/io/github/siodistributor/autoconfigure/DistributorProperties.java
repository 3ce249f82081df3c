package io.github.siodistributor.autoconfigure;

import io.github.siodistributor.core.gateway.Balancing;
import io.github.siodistributor.core.transport.OutagePolicy;
import io.github.siodistributor.core.worker.BackendRouting;
import io.github.siodistributor.core.worker.WorkerTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/** Configuration of the Socket.IO distributor ({@code distributor.*}). */
@ConfigurationProperties("distributor")
public class DistributorProperties {

    private final Redis redis = new Redis();
    private final Worker worker = new Worker();
    private final Backend backend = new Backend();
    private final Gateway gateway = new Gateway();

    public Redis getRedis() {
        return redis;
    }

    public Worker getWorker() {
        return worker;
    }

    public Backend getBackend() {
        return backend;
    }

    public Gateway getGateway() {
        return gateway;
    }

    public static class Redis {

        /** Prefix of every Redis channel and key the distributor uses; deployments sharing one Redis need different prefixes. */
        private String prefix = "sio";

        /**
         * How long a health check waits for the probe message it sends itself through Redis; the subscription
         * reads DOWN when it does not come back in time.
         */
        private Duration probeTimeout = Duration.ofSeconds(2);

        /**
         * How long the subscription may deliver nothing before a probe message checks it; two such probes in a row
         * that Redis took and that did not come back (within probe-timeout) have the subscription's connection
         * closed and connected again: a connection that stays open and delivers nothing (behind a proxy or sidecar
         * that keeps TCP alive) is ended by nothing else. 0 turns the check off.
         */
        private Duration subscriptionCheckInterval = Duration.ofSeconds(5);

        /**
         * Largest message published to Redis (an emit with its payload, a socket's data); a larger one is refused
         * with an error naming this limit. Keep it well under Redis's client-output-buffer-limit for pub/sub (32MB
         * by default): Redis disconnects a subscriber whose output buffer outgrows it, whole messages counted.
         */
        private DataSize maxMessageSize = DataSize.ofMegabytes(8);

        private final Embedded embedded = new Embedded();

        private final Outage outage = new Outage();

        public String getPrefix() {
            return prefix;
        }

        public void setPrefix(String prefix) {
            this.prefix = prefix;
        }

        public Duration getProbeTimeout() {
            return probeTimeout;
        }

        public void setProbeTimeout(Duration probeTimeout) {
            this.probeTimeout = probeTimeout;
        }

        public Duration getSubscriptionCheckInterval() {
            return subscriptionCheckInterval;
        }

        public void setSubscriptionCheckInterval(Duration subscriptionCheckInterval) {
            this.subscriptionCheckInterval = subscriptionCheckInterval;
        }

        public DataSize getMaxMessageSize() {
            return maxMessageSize;
        }

        public void setMaxMessageSize(DataSize maxMessageSize) {
            this.maxMessageSize = maxMessageSize;
        }

        public Embedded getEmbedded() {
            return embedded;
        }

        public Outage getOutage() {
            return outage;
        }
    }

    public static class Outage {

        /**
         * What happens to a message (a client's event, a backend's emit) while Redis is unreachable: "buffer" holds
         * it and publishes it in order once Redis is back; "reject" fails it at once (a client's ack carries the
         * error). Either way, what is not published is counted.
         */
        private OutagePolicy policy = OutagePolicy.BUFFER;

        /**
         * Most messages held during an outage, together with those Redis has not answered yet; beyond it a message
         * fails at once, whatever the policy.
         */
        private int bufferLimit = 10_000;

        /**
         * Most bytes of messages held during an outage, together with those Redis has not answered yet; beyond it a
         * message fails at once, whatever the policy.
         */
        private DataSize bufferSize = DataSize.ofMegabytes(64);

        /**
         * After Redis is back, how long a held message that reaches no subscriber is published again, waiting for
         * the other processes to reconnect and resubscribe.
         */
        private Duration resubscribeGrace = Duration.ofSeconds(5);

        /**
         * Longest wait between two of Lettuce's reconnect attempts (its default grows to 30s), so that every
         * process is back within about this long after Redis is. Applies to the Lettuce client resources Spring
         * Boot creates; 0 leaves Lettuce's own schedule.
         */
        private Duration reconnectDelayMax = Duration.ofSeconds(1);

        public OutagePolicy getPolicy() {
            return policy;
        }

        public void setPolicy(OutagePolicy policy) {
            this.policy = policy;
        }

        public int getBufferLimit() {
            return bufferLimit;
        }

        public void setBufferLimit(int bufferLimit) {
            this.bufferLimit = bufferLimit;
        }

        public DataSize getBufferSize() {
            return bufferSize;
        }

        public void setBufferSize(DataSize bufferSize) {
            this.bufferSize = bufferSize;
        }

        public Duration getResubscribeGrace() {
            return resubscribeGrace;
        }

        public void setResubscribeGrace(Duration resubscribeGrace) {
            this.resubscribeGrace = resubscribeGrace;
        }

        public Duration getReconnectDelayMax() {
            return reconnectDelayMax;
        }

        public void setReconnectDelayMax(Duration reconnectDelayMax) {
            this.reconnectDelayMax = reconnectDelayMax;
        }
    }

    public static class Embedded {

        /** Whether to start an embedded Redis server (a real redis-server 6.2 binary) and connect to it. For development and demos only. */
        private boolean enabled = false;

        /** Port of the embedded Redis server; 0 picks a free port. */
        private int port = 0;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public int getPort() {
            return port;
        }

        public void setPort(int port) {
            this.port = port;
        }
    }

    public static class Worker {

        /** Whether this application runs a distributor worker that accepts Socket.IO clients. */
        private boolean enabled = true;

        /** Id of this worker, unique among the workers on one Redis; it names the worker's sockets. Letters, digits, '-' and '_'. */
        private String id = "w-" + UUID.randomUUID().toString().substring(0, 8);

        /** Address the worker listens on; all interfaces when not set. */
        private String host;

        /** Port the worker listens on for Socket.IO clients; 0 picks a free port. */
        private int port = 9092;

        /**
         * Where gateways send this worker's clients: "host" or "host:port" (an IPv6 address in brackets); without a
         * port, the port the worker listens on. By default the worker's host, or this machine's address when it
         * listens on all interfaces.
         */
        private String advertisedAddress;

        /** Namespaces the worker serves ("/chat", or a regular expression starting with '^' for dynamic namespaces, such as "^/game-\\d+$"); by default those of the application's @SocketNamespace beans. */
        private List<String> namespaces = new ArrayList<>();

        /**
         * TTL of the worker's lease on its id in Redis, renewed every third of it: a second worker with a live id
         * cannot start, and backends notice a dead worker within this TTL plus
         * distributor.backend.worker-check-interval plus distributor.backend.worker-loss-grace.
         */
        private Duration leaseTtl = Duration.ofSeconds(5);

        /** How often the worker pings each client (Engine.IO pingInterval). */
        private Duration pingInterval = Duration.ofSeconds(25);

        /** How long a client has to answer a ping before its session is closed (Engine.IO pingTimeout). */
        private Duration pingTimeout = Duration.ofSeconds(20);

        /** Largest HTTP body or WebSocket message accepted from a client (Engine.IO maxPayload); larger ones close the connection. */
        private DataSize maxPayload = DataSize.ofBytes(1_000_000);

        /** How long a new connection may stay without connecting to any namespace (Socket.IO connectTimeout). */
        private Duration connectTimeout = Duration.ofSeconds(45);

        /**
         * Most connections (Engine.IO sessions) a worker keeps open that have not joined a namespace yet; beyond it a
         * handshake is refused (403) and the client tries again later. Each keeps its handshake's headers until
         * connect-timeout, so without a bound a client opening them one after another could fill the heap.
         */
        private int maxPendingSessions = 2_000;

        /** How long a WebSocket probe may take to complete the upgrade from long-polling. */
        private Duration upgradeTimeout = Duration.ofSeconds(10);

        /**
         * Origins the CORS headers allow, so that browser pages on them can read long-polling answers; "*" allows
         * every origin. Headers only, as in Socket.IO: a WebSocket is not subject to CORS.
         */
        private List<String> corsOrigins = new ArrayList<>(List.of("*"));

        /**
         * Origins whose pages may open a session or a WebSocket, such as https://app.example; a handshake or WebSocket
         * upgrade from a page of another origin is refused (403). Requests without an Origin header (not from a
         * browser: the Java client, servers) are admitted. Empty (the default) admits every origin, as Socket.IO does;
         * list your pages' origins when sessions rest on cookies, which a page of any site could otherwise use.
         */
        private List<String> allowedOrigins = new ArrayList<>();

        /** How often the worker reads the backend registry; a dead backend instance's sockets move at most this long after its heartbeat expired. */
        private Duration backendCheckInterval = Duration.ofSeconds(1);

        /** How long a backend instance whose registry entry vanished (Redis lost its data) may take to announce itself again before its sockets move. */
        private Duration backendLossGrace = Duration.ofSeconds(3);

        /** What happens to a namespace's sockets while no backend instance serves it: "hold" keeps them and holds their events (up to held-events-limit each), "disconnect" disconnects them and refuses new ones. */
        private BackendRouting.WhenNoBackend whenNoBackend = BackendRouting.WhenNoBackend.HOLD;

        /** How many events one socket may have waiting for a backend instance (while none is live, or during a hand-over); more are refused, in the client's ack when it asked for one. */
        private int heldEventsLimit = 100;

        /** How many bytes of events all the worker's sockets together may have waiting for backend instances; more are refused, in the client's ack when it asked for one. */
        private DataSize heldEventsSize = DataSize.ofMegabytes(64);

        /** How long a leaving backend instance has to release a socket before the worker moves the socket anyway. */
        private Duration handoverTimeout = Duration.ofSeconds(10);

        /**
         * Event-loop threads for the clients' connections, shared with the distributor's Redis connections. One, like
         * a Node process, costs the least CPU per message where the cores are few; raise it (or run more workers)
         * when one core cannot keep up with the clients.
         */
        private int ioThreads = 1;

        /**
         * Netty transport of the worker's event loops, which the distributor's Redis connections share: "auto" runs
         * what Lettuce runs, epoll or io_uring where the application added Netty's native library for it (and the
         * kernel allows it), NIO otherwise; "nio", "epoll" or "io-uring" run that one, and the native ones fail at
         * start-up where they are not available. Where the loops run another transport than Lettuce, each message
         * between a client and Redis changes threads.
         */
        private WorkerTransport transport = WorkerTransport.AUTO;

        public int getIoThreads() {
            return ioThreads;
        }

        public void setIoThreads(int ioThreads) {
            this.ioThreads = ioThreads;
        }

        public WorkerTransport getTransport() {
            return transport;
        }

        public void setTransport(WorkerTransport transport) {
            this.transport = transport;
        }

        public Duration getBackendCheckInterval() {
            return backendCheckInterval;
        }

        public void setBackendCheckInterval(Duration backendCheckInterval) {
            this.backendCheckInterval = backendCheckInterval;
        }

        public Duration getBackendLossGrace() {
            return backendLossGrace;
        }

        public void setBackendLossGrace(Duration backendLossGrace) {
            this.backendLossGrace = backendLossGrace;
        }

        public BackendRouting.WhenNoBackend getWhenNoBackend() {
            return whenNoBackend;
        }

        public void setWhenNoBackend(BackendRouting.WhenNoBackend whenNoBackend) {
            this.whenNoBackend = whenNoBackend;
        }

        public int getHeldEventsLimit() {
            return heldEventsLimit;
        }

        public void setHeldEventsLimit(int heldEventsLimit) {
            this.heldEventsLimit = heldEventsLimit;
        }

        public DataSize getHeldEventsSize() {
            return heldEventsSize;
        }

        public void setHeldEventsSize(DataSize heldEventsSize) {
            this.heldEventsSize = heldEventsSize;
        }

        public Duration getHandoverTimeout() {
            return handoverTimeout;
        }

        public void setHandoverTimeout(Duration handoverTimeout) {
            this.handoverTimeout = handoverTimeout;
        }

        public Duration getLeaseTtl() {
            return leaseTtl;
        }

        public void setLeaseTtl(Duration leaseTtl) {
            this.leaseTtl = leaseTtl;
        }

        public Duration getPingInterval() {
            return pingInterval;
        }

        public void setPingInterval(Duration pingInterval) {
            this.pingInterval = pingInterval;
        }

        public Duration getPingTimeout() {
            return pingTimeout;
        }

        public void setPingTimeout(Duration pingTimeout) {
            this.pingTimeout = pingTimeout;
        }

        public DataSize getMaxPayload() {
            return maxPayload;
        }

        public void setMaxPayload(DataSize maxPayload) {
            this.maxPayload = maxPayload;
        }

        public Duration getConnectTimeout() {
            return connectTimeout;
        }

        public void setConnectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
        }

        public int getMaxPendingSessions() {
            return maxPendingSessions;
        }

        public void setMaxPendingSessions(int maxPendingSessions) {
            this.maxPendingSessions = maxPendingSessions;
        }

        public Duration getUpgradeTimeout() {
            return upgradeTimeout;
        }

        public void setUpgradeTimeout(Duration upgradeTimeout) {
            this.upgradeTimeout = upgradeTimeout;
        }

        public List<String> getCorsOrigins() {
            return corsOrigins;
        }

        public void setCorsOrigins(List<String> corsOrigins) {
            this.corsOrigins = corsOrigins;
        }

        public List<String> getAllowedOrigins() {
            return allowedOrigins;
        }

        public void setAllowedOrigins(List<String> allowedOrigins) {
            this.allowedOrigins = allowedOrigins;
        }

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getId() {
            return id;
        }

        public void setId(String id) {
            this.id = id;
        }

        public String getHost() {
            return host;
        }

        public void setHost(String host) {
            this.host = host;
        }

        public String getAdvertisedAddress() {
            return advertisedAddress;
        }

        public void setAdvertisedAddress(String advertisedAddress) {
            this.advertisedAddress = advertisedAddress;
        }

        public int getPort() {
            return port;
        }

        public void setPort(int port) {
            this.port = port;
        }

        public List<String> getNamespaces() {
            return namespaces;
        }

        public void setNamespaces(List<String> namespaces) {
            this.namespaces = namespaces;
        }
    }

    public static class Backend {

        /** Whether this application runs the backend role: its @SocketNamespace handlers receive the namespaces' events. */
        private boolean enabled = true;

        /** Threads that run handler methods; events of one socket always run one at a time, in order. */
        private int handlerThreads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

        /**
         * Whether, in a process without a worker, Spring Boot's Lettuce client runs on one event loop of the
         * distributor's rather than on Lettuce's own (at least 2 threads): a non-blocking handler's answer then
         * leaves on the thread that read its event, without a hand-off. A worker's process runs Lettuce on the
         * worker's loops in any case (distributor.worker.io-threads).
         */
        private boolean oneRedisLoop = true;

        /**
         * How long fetchSockets, allRooms, serverSideEmitWithAck and broadcast emitWithAck wait for every answer
         * when the call sets no timeout of its own.
         */
        private Duration requestTimeout = Duration.ofSeconds(5);

        /** How often the backend checks that the workers holding its sockets still hold their leases. */
        private Duration workerCheckInterval = Duration.ofSeconds(1);

        /**
         * How long a worker's lease must stay missing before the backend gives its sockets up (reason "worker
         * lost"); covers a worker re-taking its lease after a Redis restart.
         */
        private Duration workerLossGrace = Duration.ofSeconds(2);

        /** How long this backend instance's heartbeat lasts in the registry; it is renewed every third of it. Workers move the sockets of an instance killed without warning within this TTL plus distributor.worker.backend-check-interval. */
        private Duration heartbeatTtl = Duration.ofSeconds(5);

        /** How long a stopping backend instance waits for the workers to hand its sockets over to the other instances, and for the handlers it queued (disconnect handlers among them) to finish, before its Redis connections stop. */
        private Duration handoverTimeout = Duration.ofSeconds(10);

        /** Client events one socket may have waiting for its handlers on this instance; more are refused (in the client's ack when it asked for one) and counted. */
        private int queuedEventsLimit = 1000;

        /** Bytes of client events all sockets together may have waiting for their handlers on this instance; more are refused likewise. */
        private DataSize queuedEventsSize = DataSize.ofMegabytes(64);

        public int getQueuedEventsLimit() {
            return queuedEventsLimit;
        }

        public void setQueuedEventsLimit(int queuedEventsLimit) {
            this.queuedEventsLimit = queuedEventsLimit;
        }

        public DataSize getQueuedEventsSize() {
            return queuedEventsSize;
        }

        public void setQueuedEventsSize(DataSize queuedEventsSize) {
            this.queuedEventsSize = queuedEventsSize;
        }

        public Duration getHeartbeatTtl() {
            return heartbeatTtl;
        }

        public void setHeartbeatTtl(Duration heartbeatTtl) {
            this.heartbeatTtl = heartbeatTtl;
        }

        public Duration getHandoverTimeout() {
            return handoverTimeout;
        }

        public void setHandoverTimeout(Duration handoverTimeout) {
            this.handoverTimeout = handoverTimeout;
        }

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public int getHandlerThreads() {
            return handlerThreads;
        }

        public void setHandlerThreads(int handlerThreads) {
            this.handlerThreads = handlerThreads;
        }

        public boolean isOneRedisLoop() {
            return oneRedisLoop;
        }

        public void setOneRedisLoop(boolean oneRedisLoop) {
            this.oneRedisLoop = oneRedisLoop;
        }

        public Duration getWorkerCheckInterval() {
            return workerCheckInterval;
        }

        public void setWorkerCheckInterval(Duration workerCheckInterval) {
            this.workerCheckInterval = workerCheckInterval;
        }

        public Duration getWorkerLossGrace() {
            return workerLossGrace;
        }

        public void setWorkerLossGrace(Duration workerLossGrace) {
            this.workerLossGrace = workerLossGrace;
        }

        public Duration getRequestTimeout() {
            return requestTimeout;
        }

        public void setRequestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
        }
    }

    public static class Gateway {

        /** Whether this application runs a sticky gateway: one address in front of the live workers. */
        private boolean enabled = false;

        /** Address the gateway listens on; all interfaces when not set. */
        private String host;

        /** Port the gateway listens on for Socket.IO clients; 0 picks a free port. */
        private int port = 9090;

        /** How new sessions are spread over the live workers: "random", "round-robin" or "least-connection" (fewest connections as the workers report them, plus the new sessions sent since). */
        private Balancing balancing = Balancing.LEAST_CONNECTION;

        /** How often the gateway reads the live workers (and their connection counts) from Redis. */
        private Duration refreshInterval = Duration.ofSeconds(1);

        /** How long connecting to a worker may take, and how long it may take to begin answering a new session's first request; the session goes to another worker, and a worker that cannot be reached gets no new session until it reports again, one that does not answer none for 30 s. */
        private Duration connectTimeout = Duration.ofSeconds(5);

        /** Largest request body accepted from a client; keep it at least distributor.worker.max-payload. */
        private DataSize maxRequestSize = DataSize.ofBytes(1_000_000);

        /** How long a client connection may stay open with no request under way and nothing read or written before the gateway closes it, a WebSocket's included (both its connections: the workers' pings keep a live one busy); keep it above the workers' ping interval. */
        private Duration idleTimeout = Duration.ofSeconds(60);

        /**
         * Whether the gateway's clients are proxies of the deployment (an L7 balancer in front) whose X-Forwarded-For,
         * X-Forwarded-Proto, Forwarded, X-Real-IP, X-Forwarded-Host and X-Forwarded-Port are true: the gateway then
         * appends its peer to X-Forwarded-For and leaves the rest. Off (the gateway at the edge), it sets
         * X-Forwarded-For to the client's address and X-Forwarded-Proto to its own scheme and drops the others, which
         * a client could otherwise fill with an address of its choosing.
         */
        private boolean trustForwardedHeaders;

        private final Ssl ssl = new Ssl();

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getHost() {
            return host;
        }

        public void setHost(String host) {
            this.host = host;
        }

        public int getPort() {
            return port;
        }

        public void setPort(int port) {
            this.port = port;
        }

        public Balancing getBalancing() {
            return balancing;
        }

        public void setBalancing(Balancing balancing) {
            this.balancing = balancing;
        }

        public Duration getRefreshInterval() {
            return refreshInterval;
        }

        public void setRefreshInterval(Duration refreshInterval) {
            this.refreshInterval = refreshInterval;
        }

        public Duration getConnectTimeout() {
            return connectTimeout;
        }

        public void setConnectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
        }

        public Duration getIdleTimeout() {
            return idleTimeout;
        }

        public void setIdleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
        }

        public boolean isTrustForwardedHeaders() {
            return trustForwardedHeaders;
        }

        public void setTrustForwardedHeaders(boolean trustForwardedHeaders) {
            this.trustForwardedHeaders = trustForwardedHeaders;
        }

        public DataSize getMaxRequestSize() {
            return maxRequestSize;
        }

        public void setMaxRequestSize(DataSize maxRequestSize) {
            this.maxRequestSize = maxRequestSize;
        }

        public Ssl getSsl() {
            return ssl;
        }
    }

    public static class Ssl {

        /** Name of the SSL bundle (spring.ssl.bundle.*) with the gateway's key and certificate; the gateway then takes HTTPS and WSS only. */
        private String bundle;

        public String getBundle() {
            return bundle;
        }

        public void setBundle(String bundle) {
            this.bundle = bundle;
        }
    }
}
