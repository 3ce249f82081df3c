package io.github.siodistributor.autoconfigure.info;

import io.github.siodistributor.autoconfigure.RedisTarget;
import io.github.siodistributor.backend.runtime.DistributorBackend;
import io.github.siodistributor.core.gateway.DistributorGateway;
import io.github.siodistributor.core.protocol.MessageCodec;
import io.github.siodistributor.core.worker.DistributorWorker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;

/**
 * The {@code distributor} entry of the {@code info} endpoint: the roles this application runs, the worker's id,
 * port, namespaces and transport, the backend instance's id and namespaces, the gateway's port and the live workers it
 * knows, the wire protocol's version, and the Redis target.
 */
public class DistributorInfoContributor implements InfoContributor {

    private final DistributorWorker worker;
    private final DistributorBackend backend;
    private final DistributorGateway gateway;
    private final RedisTarget redis;
    private final String prefix;

    /** @param worker the application's worker, or null; @param backend likewise */
    public DistributorInfoContributor(DistributorWorker worker, DistributorBackend backend, RedisTarget redis,
            String prefix) {
        this(worker, backend, null, redis, prefix);
    }

    /** @param worker the application's worker, or null; @param backend and @param gateway likewise */
    public DistributorInfoContributor(DistributorWorker worker, DistributorBackend backend, DistributorGateway gateway,
            RedisTarget redis, String prefix) {
        this.worker = worker;
        this.backend = backend;
        this.gateway = gateway;
        this.redis = redis;
        this.prefix = prefix;
    }

    @Override
    public void contribute(Info.Builder builder) {
        Map<String, Object> details = new LinkedHashMap<>();
        List<String> roles = new ArrayList<>();
        if (worker != null) {
            roles.add("worker");
            Map<String, Object> role = new LinkedHashMap<>();
            role.put("id", worker.id());
            role.put("port", worker.port());
            role.put("namespaces", worker.settings().namespaces());
            role.put("transport", worker.transport().displayName());
            details.put("worker", role);
        }
        if (backend != null) {
            roles.add("backend");
            details.put("backend", Map.of("id", backend.id(), "namespaces", backend.namespaces()));
        }
        if (gateway != null) {
            roles.add("gateway");
            details.put("gateway", Map.of("port", gateway.port(), "liveWorkers", gateway.workers().size()));
        }
        details.put("roles", roles);
        details.put("protocolVersion", MessageCodec.VERSION);
        details.put("redis", Map.of("target", redis.description(), "prefix", prefix));
        builder.withDetail("distributor", details);
    }
}
