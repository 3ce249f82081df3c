package io.github.siodistributor.test;

import java.util.Iterator;
import java.util.Map;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.POJONode;

/**
 * Converts between the application's Jackson values and the org.json values the Java Socket.IO client
 * sends and receives. Binary values stay binary both ways ({@code byte[]} in org.json, binary nodes in
 * Jackson), so they travel as Socket.IO attachments as a real client's would.
 */
final class JsonPayloads {

    private final JsonMapper mapper;

    JsonPayloads(JsonMapper mapper) {
        this.mapper = mapper;
    }

    JsonMapper mapper() {
        return mapper;
    }

    /** An argument for the client: records, maps, lists, strings, numbers, {@code byte[]} or null. */
    Object toClient(Object value) {
        if (value == null) {
            return JSONObject.NULL;
        }
        if (value instanceof byte[]) {
            return value;
        }
        return toClient(mapper.valueToTree(value));
    }

    private Object toClient(JsonNode node) {
        if (node.isObject()) {
            JSONObject object = new JSONObject();
            for (Map.Entry<String, JsonNode> property : node.properties()) {
                put(object, property.getKey(), toClient(property.getValue()));
            }
            return object;
        }
        if (node.isArray()) {
            JSONArray array = new JSONArray();
            for (JsonNode element : node) {
                array.put(toClient(element));
            }
            return array;
        }
        if (node.isBinary()) {
            return node.binaryValue();
        }
        if (node instanceof POJONode pojo && pojo.getPojo() instanceof byte[] bytes) {
            return bytes; // how valueToTree keeps a byte[] field
        }
        if (node.isNumber()) {
            return node.numberValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        return node.isNull() ? JSONObject.NULL : node.asString();
    }

    /** org.json's put, whose checked exception only says the key is null or a number is not finite. */
    static void put(JSONObject object, String key, Object value) {
        try {
            object.put(key, value);
        } catch (JSONException e) {
            throw new IllegalArgumentException("cannot send " + key + "=" + value + " to the client", e);
        }
    }

    /** What the client received, as a Jackson tree. */
    JsonNode fromClient(Object value) {
        if (value instanceof JSONObject object) {
            ObjectNode node = mapper.createObjectNode();
            for (Iterator<String> keys = object.keys(); keys.hasNext();) {
                String key = keys.next();
                node.set(key, fromClient(object.opt(key)));
            }
            return node;
        }
        if (value instanceof JSONArray array) {
            ArrayNode node = mapper.createArrayNode();
            for (int i = 0; i < array.length(); i++) {
                node.add(fromClient(array.opt(i)));
            }
            return node;
        }
        if (value instanceof byte[] bytes) {
            return mapper.getNodeFactory().binaryNode(bytes);
        }
        if (value == null || JSONObject.NULL.equals(value)) {
            return mapper.getNodeFactory().nullNode();
        }
        return mapper.valueToTree(value);
    }
}
