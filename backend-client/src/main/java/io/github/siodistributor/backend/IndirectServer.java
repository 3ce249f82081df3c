package io.github.siodistributor.backend;

/** The backend's entry point, like Socket.IO's {@code io}: {@code server.of("/chat").to("room").emit(...)}. */
public interface IndirectServer {

    /** The namespace by name; it need not be one this backend handles. */
    IndirectNamespace of(String namespace);
}
