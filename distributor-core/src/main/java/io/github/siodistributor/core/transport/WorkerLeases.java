package io.github.siodistributor.core.transport;

import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.WorkerAddress;
import io.github.siodistributor.core.protocol.WorkerRun;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Worker liveness in Redis: each worker holds a lease on its id (a key {@code <prefix>:lease:worker:<id>}
 * with a TTL, renewed while the worker lives, holding the {@link WorkerRun run id} of the worker's process).
 * The lease makes worker ids unique (a second worker with a live id cannot start) and tells backends which
 * workers are gone: a worker killed with {@code kill -9} stops renewing, and its key expires within the TTL; a
 * worker started again with the same id holds it with another run id. Once a worker listens, each renewal also
 * reports it in the {@link WorkerDirectory} that gateways read (its address and connection count), in the same
 * script call.
 * <p>
 * A backend that gives a worker run's sockets up leaves a record ({@code <prefix>:lost:worker:<id>:<run id>}, kept
 * for {@link #LOSS_RECORD_TTL}); each renewal of that run takes it, so a run that was only paused or cut off from
 * Redis for longer than its TTL learns that its clients' sockets are gone on the backends.
 */
public final class WorkerLeases implements WorkerLiveness {

    private static final Logger log = LoggerFactory.getLogger(WorkerLeases.class);

    /**
     * The shortest TTL of a worker lease, and of a backend instance's heartbeat: both are renewed every third of
     * their TTL, and a renewal at most every millisecond is already far below any useful setting.
     */
    public static final Duration MINIMUM_TTL = Duration.ofMillis(3);

    /** The reason a socket's handlers hear when the backends gave its worker up (its lease was missing). */
    public static final String WORKER_LOST = "worker lost";

    /**
     * How long the record of a worker given up is kept for that worker to find. A pause that long is beyond any
     * client's heartbeat, but a worker cut off from Redis alone may keep its clients for hours.
     */
    public static final Duration LOSS_RECORD_TTL = Duration.ofDays(1);

    /**
     * The lease's holder reports itself in the worker directory (ARGV 3-5: worker id, connection count, address;
     * no address, no report): the gateways read it. One call per renewal, on Redis's clock.
     */
    private static final String REPORT = """
            if ARGV[5] ~= '' then
              local t = redis.call('TIME')
              local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
              redis.call('HSET', KEYS[2], ARGV[3], now .. ' ' .. (now + tonumber(ARGV[2])) .. ' ' .. ARGV[4] .. ' ' .. ARGV[5])
            end
            """;
    /** What a take or renewal answers when it succeeded: 1, plus 1 when it found (and removed) its run's loss record. */
    private static final String HELD = "return 1 + redis.call('del', KEYS[3]) end return 0";
    /** Takes the lease if nobody holds it (ARGV 1-2: run id, TTL in ms). */
    private static final RedisScript<Long> TAKE = RedisScript.of("if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', "
            + "ARGV[2]) then\n" + REPORT + HELD, Long.class);
    /** Extends the lease only if this holder still owns it. */
    private static final RedisScript<Long> RENEW = RedisScript.of("if redis.call('get', KEYS[1]) == ARGV[1] then "
            + "redis.call('pexpire', KEYS[1], ARGV[2])\n" + REPORT + HELD, Long.class);
    /** Gives the lease up, and the directory entry with it, only if this holder still owns it (ARGV 2: worker id). */
    private static final RedisScript<Long> RELEASE = RedisScript.of("if redis.call('get', KEYS[1]) == ARGV[1] then "
            + "redis.call('hdel', KEYS[2], ARGV[2]) return redis.call('del', KEYS[1]) else return 0 end", Long.class);

    private final StringRedisTemplate redis;
    private final ChannelNames names;
    /** The leases this process holds, by worker id: their state is a health detail. */
    private final Map<String, Lease> held = new ConcurrentHashMap<>();

    public WorkerLeases(RedisConnectionFactory connectionFactory, ChannelNames names) {
        this.redis = new StringRedisTemplate(Objects.requireNonNull(connectionFactory, "connectionFactory"));
        this.names = Objects.requireNonNull(names, "names");
    }

    /** How a worker learns, at a renewal of its lease, that it no longer serves its clients. */
    public enum LeaseLoss {
        /**
         * Another worker took the id while this one could not renew: that one owns the id's channel and sockets
         * now. This lease is not renewed any more.
         */
        TAKEN_OVER,
        /**
         * A backend gave this worker's sockets up (reason {@value #WORKER_LOST}) while its lease was missing: a pause
         * or a cut from Redis longer than the TTL and the backend's grace. The lease stays held; the clients must
         * reconnect to get sockets the backends know.
         */
        SOCKETS_GIVEN_UP
    }

    /**
     * Takes the lease of {@code run}'s worker id, with its run id, and keeps renewing it every third of {@code ttl}
     * until closed.
     * A renewal that finds the lease gone (Redis restarted without its data, or was unreachable for longer
     * than the TTL) takes it again. {@code onLoss} runs, on the renewing thread, when a renewal finds that
     * another worker took the id meanwhile, or that a backend gave this run's sockets up.
     *
     * @throws IllegalStateException when another live worker holds the id
     */
    public Lease acquire(WorkerRun run, Duration ttl, Consumer<LeaseLoss> onLoss) {
        if (ttl == null || ttl.compareTo(MINIMUM_TTL) < 0) {
            throw new IllegalArgumentException("a worker lease TTL must be at least " + MINIMUM_TTL.toMillis()
                    + " ms, got " + ttl);
        }
        Lease lease = new Lease(run, names.workerLease(run.workerId()), ttl, Objects.requireNonNull(onLoss, "onLoss"));
        lease.take();
        held.put(run.workerId(), lease);
        return lease;
    }

    /** The lease this process holds on {@code workerId}, if it holds one. */
    public Optional<Lease> held(String workerId) {
        return Optional.ofNullable(held.get(workerId));
    }

    /**
     * Whether a lease is known to be held.
     *
     * @param held true while the lease was confirmed in Redis within its TTL and not taken over
     * @param detail what was last seen, for a health report
     */
    public record LeaseState(boolean held, String detail) {
    }

    @Override
    public Map<String, String> leaseHolders(Collection<String> workerIds) {
        List<String> ids = new ArrayList<>(new HashSet<>(workerIds));
        if (ids.isEmpty()) {
            return Map.of();
        }
        List<String> values = redis.opsForValue().multiGet(ids.stream().map(names::workerLease).toList());
        Map<String, String> holders = new HashMap<>();
        for (int i = 0; values != null && i < ids.size(); i++) {
            if (values.get(i) != null) {
                holders.put(ids.get(i), values.get(i));
            }
        }
        return holders;
    }

    @Override
    public void recordLoss(WorkerRun run) {
        redis.opsForValue().set(names.workerLoss(run), "given up", LOSS_RECORD_TTL);
    }

    private record Report(WorkerAddress address, IntSupplier connections) {
    }

    /** A worker's held lease. */
    public final class Lease implements AutoCloseable {

        private final String workerId;
        private final String key;
        private final Duration ttl;
        private final Consumer<LeaseLoss> onLoss;
        private final List<String> keys;
        /** What the worker reports with each renewal once it listens; null until then. */
        private volatile Report report;
        /** The run id: only the run that took the lease renews or releases it. */
        private final String token;
        private final ScheduledExecutorService renewer;
        private ScheduledFuture<?> renewal;
        /** When Redis last confirmed the lease ours (taken or renewed). */
        private volatile long confirmedAt;
        private volatile boolean lost;

        private Lease(WorkerRun run, String key, Duration ttl, Consumer<LeaseLoss> onLoss) {
            this.workerId = run.workerId();
            this.token = run.runId();
            this.key = key;
            this.ttl = ttl;
            this.onLoss = onLoss;
            this.keys = List.of(key, names.workerDirectory(), names.workerLoss(run));
            this.renewer = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "distributor-lease-" + workerId);
                thread.setDaemon(true);
                return thread;
            });
        }

        private void take() {
            if (!takeIfFree()) {
                Long left = redis.getExpire(key, TimeUnit.MILLISECONDS);
                renewer.shutdownNow();
                throw new IllegalStateException("Worker id '" + workerId + "' is already in use by a live worker on "
                        + "this Redis (its lease " + key + " expires in " + left + " ms unless renewed): give each "
                        + "worker its own distributor.worker.id");
            }
            confirmedAt = System.nanoTime();
            long period = ttl.toMillis() / 3;
            renewal = renewer.scheduleWithFixedDelay(this::renew, period, period, TimeUnit.MILLISECONDS);
        }

        private boolean takeIfFree() {
            return execute(TAKE) > 0;
        }

        /** 0: not held; 1: held; 2: held, and a loss record was found. */
        private long execute(RedisScript<Long> script) {
            Report current = report;
            Long result = redis.execute(script, keys, token, String.valueOf(ttl.toMillis()), workerId,
                    current == null ? "0" : String.valueOf(current.connections().getAsInt()),
                    current == null ? "" : current.address().toString());
            return result == null ? 0 : result;
        }

        /**
         * From now on every renewal also reports the worker in the directory that gateways read: where it takes
         * clients and how many connections it holds. Reports once at once, so that a gateway may use the worker
         * without waiting for the next renewal.
         */
        public void report(WorkerAddress address, IntSupplier connections) {
            report = new Report(Objects.requireNonNull(address, "address"), Objects.requireNonNull(connections,
                    "connections"));
            renewer.execute(this::renew);
        }

        private void renew() {
            long held;
            try {
                held = execute(RENEW);
                if (held == 0) {
                    held = execute(TAKE);
                    if (held > 0) {
                        log.warn("Worker '{}' found its lease {} gone and took it again", workerId, key);
                    }
                }
            } catch (RuntimeException e) {
                if (StoppedConnectionFactory.isStopped(redis.getConnectionFactory())) {
                    log.debug("Worker '{}' could not renew its lease {} while its context is paused: {}", workerId, key,
                            e.toString());
                } else {
                    log.warn("Worker '{}' could not renew its lease {}: {}", workerId, key, e.toString());
                }
                return;
            }
            if (held > 0) {
                confirmedAt = System.nanoTime();
            }
            if (held == 0) {
                lost = true;
                // periodic renewals end here: the id is the other worker's
                renewer.shutdown();
                log.error("Worker '{}' lost its lease {} to another worker with the same id: it stops serving "
                        + "clients and stays down until restarted", workerId, key);
                lose(LeaseLoss.TAKEN_OVER);
            } else if (held == 2) {
                log.warn("Worker '{}' was given up by a backend while its lease was missing (paused, or cut off from "
                        + "Redis, for longer than the lease TTL): it sends its clients away so that they reconnect "
                        + "and get sockets the backends know", workerId);
                lose(LeaseLoss.SOCKETS_GIVEN_UP);
            }
        }

        private void lose(LeaseLoss loss) {
            try {
                onLoss.accept(loss);
            } catch (RuntimeException e) {
                // thrown out of a periodic task it would end the renewals for good
                log.error("Worker '{}' failed to act on its lease loss {}", workerId, loss, e);
            }
        }

        /**
         * Held while Redis confirmed it within the TTL. A renewal that cannot reach Redis leaves the clients
         * connected: backends keep the worker's sockets while they cannot read Redis either, and the lease is
         * taken again once Redis is back.
         */
        public LeaseState state() {
            if (lost) {
                return new LeaseState(false, "taken over by another worker with the id '" + workerId + "'");
            }
            long ago = (System.nanoTime() - confirmedAt) / 1_000_000;
            if (ago <= ttl.toMillis()) {
                return new LeaseState(true, "confirmed in Redis " + ago + " ms ago (TTL " + ttl.toMillis() + " ms)");
            }
            return new LeaseState(false, "not confirmed in Redis for " + ago + " ms, longer than its TTL of "
                    + ttl.toMillis() + " ms: Redis is unreachable or slow");
        }

        /** Stops renewing and gives the lease up, so backends see the worker gone at once. */
        @Override
        public void close() {
            stopRenewing();
            try {
                // a renewal still running would find the lease released and take it again, for a whole TTL
                renewer.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                redis.execute(RELEASE, keys, token, workerId);
            } catch (RuntimeException e) {
                log.debug("Could not release the lease {}; it expires by itself", key, e);
            }
        }

        /**
         * Stops renewing without telling Redis, for a stop while Redis is unreachable (a release would wait for the
         * client's whole command timeout): the lease expires within its TTL, and backends see the worker gone then.
         */
        public void abandon() {
            stopRenewing();
        }

        private void stopRenewing() {
            held.remove(workerId, this);
            if (renewal != null) {
                renewal.cancel(false);
            }
            renewer.shutdownNow();
        }
    }
}
