package io.github.siodistributor.test;

import io.socket.client.Ack;
import java.util.List;
import java.util.function.Supplier;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;

/**
 * An event a {@link TestSocket} received, or the answer to one of its acks: the arguments as Jackson trees
 * (binary values as binary nodes).
 */
public final class Received {

    private final String event;
    private final List<JsonNode> args;
    private final Ack ack;
    private final JsonPayloads payloads;

    Received(String event, List<JsonNode> args, Ack ack, JsonPayloads payloads) {
        this.event = event;
        this.args = List.copyOf(args);
        this.ack = ack;
        this.payloads = payloads;
    }

    /** The event name; for an ack answer, the event that asked for it. */
    public String event() {
        return event;
    }

    public List<JsonNode> args() {
        return args;
    }

    /** The argument at {@code index}; fails with the arguments there are when there are fewer. */
    public JsonNode arg(int index) {
        if (index >= args.size()) {
            throw new AssertionError("'" + event + "' has no argument " + index + "; it came with " + args);
        }
        return args.get(index);
    }

    /** The argument at {@code index} converted by the application's Jackson mapper. */
    public <T> T arg(int index, Class<T> type) {
        JsonNode value = arg(index);
        return converted(index, type.getSimpleName(), () -> payloads.mapper().treeToValue(value, type));
    }

    /** The argument at {@code index} converted to a generic type: {@code arg(0, new TypeReference<List<Say>>() {})}. */
    public <T> T arg(int index, TypeReference<T> type) {
        JsonNode value = arg(index);
        return converted(index, type.getType().getTypeName(), () -> payloads.mapper().convertValue(value, type));
    }

    /** A conversion that fails is the test's finding, shown with what came (an ack's {"error": ...}, say). */
    private <T> T converted(int index, String type, Supplier<T> conversion) {
        try {
            return conversion.get();
        } catch (JacksonException | IllegalArgumentException e) {
            String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            throw new AssertionError("argument " + index + " of '" + event + "' is not a " + type + ": it came with "
                    + args + " (" + why + ")", e);
        }
    }

    /** Whether the server asked for an acknowledgement ({@code emitWithAck}). */
    public boolean ackRequested() {
        return ack != null;
    }

    /** Answers the server's {@code emitWithAck} with these arguments (converted as in {@link TestSocket#emit}). */
    public void ack(Object... answer) {
        if (ack == null) {
            throw new IllegalStateException("the server asked for no ack with '" + event + "'");
        }
        ack.call(TestSocket.toClient(payloads, answer));
    }

    @Override
    public String toString() {
        return event + args;
    }
}
