package io.github.siodistributor.core.metrics;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** One role's {@link NamespaceStats}, one per namespace spec, made the first time the spec is seen. */
public final class StatsByNamespace {

    private final Map<String, NamespaceStats> stats = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<Consumer<NamespaceStats>> listeners = new CopyOnWriteArrayList<>();

    /** The spec's stats: the caller keeps them (per socket, per namespace) rather than asking per message. */
    public NamespaceStats of(String spec) {
        NamespaceStats existing = stats.get(spec);
        return existing != null ? existing : create(spec);
    }

    private synchronized NamespaceStats create(String spec) {
        NamespaceStats existing = stats.get(spec);
        if (existing != null) {
            return existing;
        }
        NamespaceStats created = new NamespaceStats(spec);
        // before it is visible: nothing is counted before an exporter has its meters
        listeners.forEach(listener -> listener.accept(created));
        stats.put(spec, created);
        return created;
    }

    /** Calls {@code listener} with every namespace's stats so far and with each new one. */
    public synchronized void onNamespace(Consumer<NamespaceStats> listener) {
        listeners.add(listener);
        stats.values().forEach(listener);
    }

    public Collection<NamespaceStats> all() {
        return List.copyOf(stats.values());
    }
}
