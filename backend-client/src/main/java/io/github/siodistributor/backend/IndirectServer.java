package io.github.siodistributor.backend;

/** The backend's entry point, like Socket.IO's {@code io}: {@code server.of("/chat").to("room").emit(...)}. */
public interface IndirectServer {

    /**
     * The namespace by name; it need not be one this backend handles. For a dynamic namespace, the backend
     * must handle its pattern: otherwise namespace-wide calls go to a channel no worker listens on (calls on
     * one socket still work).
     */
    IndirectNamespace of(String namespace);
}
