package io.github.siodistributor.samples.chat;

import io.github.siodistributor.backend.EventRejectedException;
import io.github.siodistributor.backend.annotation.OnEvent;
import io.github.siodistributor.backend.annotation.SocketNamespace;

/** A namespace whose handlers fail on purpose, to see what the client gets. */
@SocketNamespace("/faulty")
public class FaultyHandler {

    @OnEvent("boom")
    public String boom() {
        throw new IllegalStateException("secret internal detail");
    }

    @OnEvent("reject")
    public String reject(String why) {
        throw new EventRejectedException("rejected: " + why);
    }

    /** Never answers, even when the client waits for an ack. */
    @OnEvent("silent")
    public void silent() {
    }

    @OnEvent("ok")
    public String ok() {
        return "ok";
    }
}
