package io.github.siodistributor.core.transport;

import io.github.siodistributor.core.protocol.ChannelNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Backend instance liveness in Redis: per namespace spec, a sorted set {@code <prefix>:registry:<spec>}
 * whose members are backend ids scored with the moment their heartbeat expires (Redis's own clock, so
 * that hosts need no synchronized clocks). A live instance renews its score every third of its TTL; a
 * killed one stops, and workers see its score in the past. An entry that has vanished altogether means
 * Redis lost its data (a restart): workers give such an instance a grace period to re-announce itself.
 */
public final class BackendRegistry {

    /** Expired entries stay this long, so that workers can tell "expired" (dead) from "vanished" (Redis lost it). */
    static final long KEEP_EXPIRED_MILLIS = 60_000;

    /**
     * ARGV: backend id, TTL in ms. Sets each key's member score to now + TTL; the whole key outlives its members,
     * and is never shortened: an instance with a short TTL must not let the key expire under one with a long TTL.
     */
    private static final RedisScript<Long> HEARTBEAT = RedisScript.of("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local ttl = tonumber(ARGV[2])
            for _, key in ipairs(KEYS) do
              redis.call('ZADD', key, now + ttl, ARGV[1])
              if redis.call('PTTL', key) < ttl + %d then
                redis.call('PEXPIRE', key, ttl + %d)
              end
            end
            return now""".formatted(KEEP_EXPIRED_MILLIS, KEEP_EXPIRED_MILLIS), Long.class);

    /** Returns now, then per key: the member count and each member with its expiry. Forgets long-expired members. */
    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> SNAPSHOT = RedisScript.of("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local out = { tostring(now) }
            for _, key in ipairs(KEYS) do
              redis.call('ZREMRANGEBYSCORE', key, '-inf', now - %d)
              local members = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
              table.insert(out, tostring(#members / 2))
              for _, value in ipairs(members) do
                table.insert(out, value)
              end
            end
            return out""".formatted(KEEP_EXPIRED_MILLIS), List.class);

    private final StringRedisTemplate redis;
    private final ChannelNames names;

    public BackendRegistry(RedisConnectionFactory connectionFactory, ChannelNames names) {
        this.redis = new StringRedisTemplate(Objects.requireNonNull(connectionFactory, "connectionFactory"));
        this.names = Objects.requireNonNull(names, "names");
    }

    /** Whether its connection factory is stopped: the application context is paused ({@link StoppedConnectionFactory}). */
    public boolean isPaused() {
        return StoppedConnectionFactory.isStopped(redis.getConnectionFactory());
    }

    /** Marks {@code backendId} alive for {@code ttl} under each namespace spec. */
    public void heartbeat(String backendId, Collection<String> specs, Duration ttl) {
        if (specs.isEmpty()) {
            return;
        }
        redis.execute(HEARTBEAT, keys(specs), backendId, String.valueOf(ttl.toMillis()));
    }

    /** Takes {@code backendId} out of each spec's set: it stopped and handed its sockets over. */
    public void remove(String backendId, Collection<String> specs) {
        for (String key : keys(specs)) {
            redis.opsForZSet().remove(key, backendId);
        }
    }

    /**
     * The registered instances of each spec, and whether each one's heartbeat is still running.
     *
     * @throws RuntimeException when Redis cannot be asked (the caller decides nothing then)
     */
    public Map<String, Map<String, Boolean>> instances(List<String> specs) {
        Map<String, Map<String, Boolean>> result = new HashMap<>();
        if (specs.isEmpty()) {
            return result;
        }
        List<?> reply = redis.execute(SNAPSHOT, keys(specs));
        if (reply == null || reply.isEmpty()) {
            throw new IllegalStateException("no answer from the backend registry script");
        }
        long now = Long.parseLong(String.valueOf(reply.get(0)));
        int at = 1;
        for (String spec : specs) {
            int count = Integer.parseInt(String.valueOf(reply.get(at++)));
            Map<String, Boolean> instances = new HashMap<>();
            for (int i = 0; i < count; i++) {
                String id = String.valueOf(reply.get(at++));
                double expiresAt = Double.parseDouble(String.valueOf(reply.get(at++)));
                instances.put(id, expiresAt > now);
            }
            result.put(spec, instances);
        }
        return result;
    }

    private List<String> keys(Collection<String> specs) {
        List<String> keys = new ArrayList<>(specs.size());
        for (String spec : specs) {
            keys.add(names.instanceRegistry(spec));
        }
        return keys;
    }
}
