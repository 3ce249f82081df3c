package io.github.siodistributor.samples.multinamespace;

import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.annotation.OnEvent;

/** What every backend of the demo answers, whatever its namespace: {@code hello}, naming its process. */
public abstract class NamespaceBackend {

    private final BackendProcess process;

    protected NamespaceBackend(BackendProcess process) {
        this.process = process;
    }

    @OnEvent("hello")
    public BackendProcess.Hello hello(IndirectSocket socket) {
        return process.hello(socket.namespace().name());
    }
}
