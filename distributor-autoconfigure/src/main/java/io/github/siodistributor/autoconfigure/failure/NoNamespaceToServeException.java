package io.github.siodistributor.autoconfigure.failure;

/**
 * The worker has no namespace to serve: {@code distributor.worker.namespaces} is not set and the application has
 * no {@code @SocketNamespace} bean to take them from.
 */
public class NoNamespaceToServeException extends IllegalStateException {

    public NoNamespaceToServeException() {
        super("The distributor worker has no namespace to serve: distributor.worker.namespaces is not set and no "
                + "@SocketNamespace bean declares one");
    }
}
