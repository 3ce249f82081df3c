package io.github.siodistributor.backend;

import io.github.siodistributor.backend.runtime.BinaryPlaceholders;
import io.github.siodistributor.core.protocol.Payload;
import java.lang.reflect.Type;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The arguments of an event or an ack, as the client sent them: a JSON array kept as bytes until
 * someone asks for a value. Pass it back unchanged (an echo) and it is never decoded.
 */
public final class SocketArgs {

    private final Payload payload;
    private final ObjectMapper mapper;
    private volatile JsonNode tree;

    private SocketArgs(Payload payload, ObjectMapper mapper) {
        this.payload = Objects.requireNonNull(payload);
        this.mapper = mapper;
    }

    /** Arguments as received; decoded lazily with {@code mapper}. */
    public static SocketArgs wrap(Payload payload, ObjectMapper mapper) {
        return new SocketArgs(payload, mapper);
    }

    /**
     * Arguments to send: encoded once here, with the given values in order. This is plain JSON through {@code
     * mapper}: a {@code byte[]} among the values becomes a base64 string, not a binary attachment; send binary with
     * {@code ack.send(...)} or {@code emit(...)}, which do.
     */
    public static SocketArgs of(ObjectMapper mapper, Object... values) {
        return new SocketArgs(Payload.ofJsonArray(mapper.writeValueAsBytes(values)), mapper);
    }

    public int size() {
        return tree().size();
    }

    /** Argument {@code index} converted to {@code type}, or {@code null} when there are fewer arguments. */
    public <T> T get(int index, Class<T> type) {
        return get(index, (Type) type);
    }

    /** Argument {@code index} converted to a generic type, or {@code null} when there are fewer arguments. */
    public <T> T get(int index, Type type) {
        JsonNode node = tree().get(index);
        if (node == null) {
            return null;
        }
        return mapper.treeToValue(node, mapper.getTypeFactory().constructType(type));
    }

    /** The arguments as the JSON array text. */
    public String json() {
        return new String(payload.jsonArray(), java.nio.charset.StandardCharsets.UTF_8);
    }

    public Payload payload() {
        return payload;
    }

    private JsonNode tree() {
        JsonNode parsed = tree;
        if (parsed == null) {
            parsed = mapper.readTree(payload.jsonArray());
            if (!parsed.isArray()) {
                throw new IllegalArgumentException("event arguments are not a JSON array");
            }
            parsed = BinaryPlaceholders.resolve(parsed, payload.attachments());
            tree = parsed;
        }
        return parsed;
    }

    @Override
    public String toString() {
        return payload.toString();
    }
}
