package io.github.siodistributor.core.engine;

import java.util.List;
import java.util.Map;

/** The HTTP request that opened an Engine.IO session: what every namespace of it reports as its handshake. */
public record EngineHandshake(Map<String, List<String>> headers, Map<String, List<String>> query, String address,
        String url, long time) {

    public EngineHandshake {
        headers = Map.copyOf(headers);
        query = Map.copyOf(query);
    }
}
