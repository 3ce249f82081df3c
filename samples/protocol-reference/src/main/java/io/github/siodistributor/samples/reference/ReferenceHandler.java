package io.github.siodistributor.samples.reference;

import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.SocketArgs;
import io.github.siodistributor.backend.annotation.OnConnect;
import io.github.siodistributor.backend.annotation.OnEvent;
import io.github.siodistributor.core.protocol.Handshake;
import tools.jackson.databind.json.JsonMapper;

/**
 * The reference server's behaviour, the same for each of its namespaces: greet with the auth payload,
 * echo "message" back as "message-back", and answer "message-with-ack" with its own arguments. The
 * arguments, binary attachments included, travel back untouched.
 */
public abstract class ReferenceHandler {

    private final JsonMapper json;

    protected ReferenceHandler(JsonMapper json) {
        this.json = json;
    }

    @OnConnect
    public void connected(IndirectSocket socket, Handshake handshake) {
        socket.emit("auth", json.readTree(handshake.auth()));
    }

    @OnEvent("message")
    public void message(IndirectSocket socket, SocketArgs args) {
        socket.emit("message-back", args);
    }

    @OnEvent("message-with-ack")
    public SocketArgs messageWithAck(SocketArgs args) {
        return args;
    }
}
