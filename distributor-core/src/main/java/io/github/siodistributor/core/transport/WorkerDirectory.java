package io.github.siodistributor.core.transport;

import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.WorkerAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The live workers as they report themselves with each lease renewal ({@link WorkerLeases.Lease#report}): a hash
 * {@code <prefix>:workers}, field = worker id, value = {@code <reportedAt> <expiresAt> <connections> <address>}
 * (times in ms on Redis's clock). A killed worker stops reporting and its entry expires with its lease; readers
 * delete expired entries as they go.
 */
public final class WorkerDirectory {

    private static final Logger log = LoggerFactory.getLogger(WorkerDirectory.class);

    /** Returns Redis's now, then id and report of each live worker; deletes the expired and the unreadable. */
    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> READ = RedisScript.of("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local out = { tostring(now) }
            local all = redis.call('HGETALL', KEYS[1])
            for i = 1, #all, 2 do
              local expires = tonumber(string.match(all[i + 1], '^%S+ (%d+) '))
              if expires == nil or expires <= now then
                redis.call('HDEL', KEYS[1], all[i])
              else
                table.insert(out, all[i])
                table.insert(out, all[i + 1])
              end
            end
            return out""", List.class);

    private final StringRedisTemplate redis;
    private final String key;

    public WorkerDirectory(RedisConnectionFactory connectionFactory, ChannelNames names) {
        this.redis = new StringRedisTemplate(Objects.requireNonNull(connectionFactory, "connectionFactory"));
        this.key = Objects.requireNonNull(names, "names").workerDirectory();
    }

    /**
     * One worker's last report.
     *
     * @param reportedAt when it was made, in ms on Redis's clock
     */
    public record Entry(String workerId, WorkerAddress address, int connections, long reportedAt, long expiresAt) {
    }

    /** The live workers, read at {@code now} (ms on Redis's clock). */
    public record Snapshot(long now, List<Entry> workers) {
    }

    /**
     * The workers whose report has not expired, in one call.
     *
     * @throws RuntimeException when Redis cannot be asked
     */
    public Snapshot read() {
        List<?> reply = redis.execute(READ, List.of(key));
        if (reply == null || reply.isEmpty()) {
            throw new IllegalStateException("no answer from the worker directory script");
        }
        long now = Long.parseLong(String.valueOf(reply.get(0)));
        List<Entry> workers = new ArrayList<>((reply.size() - 1) / 2);
        for (int i = 1; i + 1 < reply.size(); i += 2) {
            String id = String.valueOf(reply.get(i));
            try {
                workers.add(parse(id, String.valueOf(reply.get(i + 1))));
            } catch (RuntimeException e) {
                log.debug("Ignoring the unreadable report of worker '{}': {}", id, e.getMessage());
            }
        }
        return new Snapshot(now, List.copyOf(workers));
    }

    private static Entry parse(String id, String report) {
        String[] fields = report.split(" ", 4);
        if (fields.length != 4) {
            throw new IllegalArgumentException("expected 4 fields in '" + report + "'");
        }
        return new Entry(id, WorkerAddress.parse(fields[3]), Integer.parseInt(fields[2]), Long.parseLong(fields[0]),
                Long.parseLong(fields[1]));
    }
}
