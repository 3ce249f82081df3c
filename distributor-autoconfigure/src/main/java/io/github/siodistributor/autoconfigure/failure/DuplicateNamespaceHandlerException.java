package io.github.siodistributor.autoconfigure.failure;

import java.util.List;

/**
 * Two handler beans claim one namespace, so an event of it would have two handlers. A namespace (or a pattern of
 * dynamic namespaces) has exactly one handler bean.
 */
public class DuplicateNamespaceHandlerException extends IllegalStateException {

    private final String namespace;
    private final List<String> beanNames;
    private final List<String> sharedEvents;

    public DuplicateNamespaceHandlerException(String namespace, List<String> beanNames, List<String> sharedEvents) {
        super("Namespace " + namespace + " has more than one handler bean: " + beanNames
                + (sharedEvents.isEmpty() ? "" : ", both handling " + sharedEvents));
        this.namespace = namespace;
        this.beanNames = List.copyOf(beanNames);
        this.sharedEvents = List.copyOf(sharedEvents);
    }

    public String namespace() {
        return namespace;
    }

    /** The beans that claim the namespace, in the order they were found. */
    public List<String> beanNames() {
        return beanNames;
    }

    /** The events (with {@code @OnEvent}) that more than one of the beans handle. */
    public List<String> sharedEvents() {
        return sharedEvents;
    }
}
