package io.github.siodistributor.samples.multinamespace;

import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.annotation.OnEvent;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/** {@code /chat}, in the process started with the {@code chat} profile. */
@Component
@Profile("chat")
@SocketNamespace("/chat")
public class ChatBackend extends NamespaceBackend {

    public ChatBackend(BackendProcess process) {
        super(process);
    }

    /** Everyone in the chat hears it, on every worker. */
    @OnEvent("say")
    public boolean say(IndirectSocket socket, String text) {
        socket.namespace().emit("said", text);
        return true;
    }
}
