package io.github.siodistributor.core.engine;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;

/**
 * A request URI's path and query parameters, decoded at once. Netty's {@link QueryStringDecoder} decodes lazily and
 * throws on a malformed escape ({@code ?sid=%zz}) wherever it is first asked; decoding here, once, lets the worker and
 * the gateway answer such a request 400 instead of failing in the middle of handling it.
 */
public final class RequestQuery {

    private final QueryStringDecoder decoded;

    private RequestQuery(QueryStringDecoder decoded) {
        this.decoded = decoded;
    }

    /** The decoded URI, or {@code null} when its path or query is malformed. */
    public static RequestQuery decode(String uri) {
        QueryStringDecoder decoder = new QueryStringDecoder(uri);
        try {
            decoder.path();
            decoder.parameters();
        } catch (IllegalArgumentException malformed) {
            return null;
        }
        return new RequestQuery(decoder);
    }

    public String path() {
        return decoded.path();
    }

    /** The first value of the parameter, or {@code null}. */
    public String first(String name) {
        List<String> values = parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public Map<String, List<String>> parameters() {
        return decoded.parameters();
    }
}
