package io.github.siodistributor.samples.chat;

import io.github.siodistributor.backend.Ack;
import io.github.siodistributor.backend.IndirectNamespace;
import io.github.siodistributor.backend.SocketArgs;
import io.github.siodistributor.backend.annotation.OnServerSideEvent;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Server-side events between backend instances, for tests: one instance of this handler per backend
 * context, named by the test ({@link #name}); no client connects to {@code /peers}.
 */
@SocketNamespace("/peers")
public class PeerHandler {

    /** A typed argument. */
    public record Query(int number, List<String> tags) {
    }

    /** A typed answer: who answered, from which namespace, and what it got. */
    public record Status(String instance, String namespace, int doubled, List<String> tags, String raw) {
    }

    /** What a server-side event handler got: the event, the namespace it came through, its arguments. */
    public record Received(String event, String namespace, String text, int number) {
    }

    volatile String name = "unnamed";
    /** When true, {@code poll} gets its event but does not answer. */
    volatile boolean muted;
    /** Everything the event handlers recorded, in the order they ran. */
    final List<Received> received = new CopyOnWriteArrayList<>();

    /** Records what came, typed: a text and a number. */
    @OnServerSideEvent("note")
    public void note(IndirectNamespace namespace, String text, int number) {
        received.add(new Received("note", namespace.name(), text, number));
    }

    /** Answers with its return value, binding the namespace, a record and the raw arguments. */
    @OnServerSideEvent("status")
    public Status status(IndirectNamespace namespace, Query query, SocketArgs raw) {
        return new Status(name, namespace.name(), query.number() * 2, query.tags(), raw.json());
    }

    /** Records the event and never answers. */
    @OnServerSideEvent("silent")
    public void silent(IndirectNamespace namespace, String text) {
        received.add(new Received("silent", namespace.name(), text, 0));
    }

    /** Answers through the {@link Ack} parameter, unless muted. */
    @OnServerSideEvent("poll")
    public void poll(String question, Ack ack) {
        received.add(new Received("poll", "/peers", question, 0));
        if (!muted) {
            ack.send(name + " says " + question.length());
        }
    }
}
