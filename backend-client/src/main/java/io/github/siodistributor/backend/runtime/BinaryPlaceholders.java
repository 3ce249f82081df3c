package io.github.siodistributor.backend.runtime;

import io.github.siodistributor.core.protocol.Payload;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Socket.IO's binary arguments on the backend: a {@code byte[]} travels as an attachment, with a
 * {@code {"_placeholder":true,"num":n}} object in its place in the JSON. Encoding collects the arrays
 * while Jackson writes the arguments (no second pass); decoding puts them back as binary nodes, so
 * handler parameters of type {@code byte[]}, or records holding one, bind as usual.
 */
public final class BinaryPlaceholders {

    private static final ThreadLocal<List<byte[]>> COLLECTING = new ThreadLocal<>();

    private BinaryPlaceholders() {
    }

    /** A mapper like {@code base} that writes {@code byte[]} values as placeholders during {@link #encode}. */
    public static ObjectMapper encodingMapper(ObjectMapper base) {
        SimpleModule module = new SimpleModule("socket.io-binary");
        module.addSerializer(byte[].class, new PlaceholderSerializer());
        return base.rebuild().addModule(module).build();
    }

    /** The arguments as a payload: JSON with placeholders, and the byte arrays as attachments. */
    public static Payload encode(ObjectMapper encodingMapper, Object[] args) {
        List<byte[]> attachments = new ArrayList<>();
        COLLECTING.set(attachments);
        try {
            return Payload.of(encodingMapper.writeValueAsBytes(args), attachments);
        } finally {
            COLLECTING.remove();
        }
    }

    /** Replaces the placeholders in {@code node} (in place where it can) by binary nodes of the attachments. */
    public static JsonNode resolve(JsonNode node, List<byte[]> attachments) {
        if (attachments.isEmpty()) {
            return node;
        }
        if (node instanceof ObjectNode object) {
            JsonNode flag = object.get("_placeholder");
            JsonNode num = object.get("num");
            if (object.size() == 2 && flag != null && flag.isBoolean() && flag.booleanValue() && num != null
                    && num.isInt() && num.intValue() >= 0 && num.intValue() < attachments.size()) {
                return JsonNodeFactory.instance.binaryNode(attachments.get(num.intValue()));
            }
            for (Iterator<Map.Entry<String, JsonNode>> fields = object.properties().iterator(); fields.hasNext();) {
                Map.Entry<String, JsonNode> field = fields.next();
                field.setValue(resolve(field.getValue(), attachments));
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, resolve(array.get(i), attachments));
            }
        }
        return node;
    }

    private static final class PlaceholderSerializer extends ValueSerializer<byte[]> {
        @Override
        public void serialize(byte[] value, JsonGenerator generator, SerializationContext context) {
            List<byte[]> attachments = COLLECTING.get();
            if (attachments == null) {
                // written outside an emit (e.g. SocketArgs.of): plain JSON has base64 for binary
                generator.writeBinary(value);
                return;
            }
            generator.writeStartObject();
            generator.writeBooleanProperty("_placeholder", true);
            generator.writeNumberProperty("num", attachments.size());
            generator.writeEndObject();
            attachments.add(value);
        }
    }
}
