package io.github.siodistributor.backend.runtime;

import io.github.siodistributor.backend.Ack;
import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.NamespaceHandler;
import io.github.siodistributor.backend.SocketArgs;

/** A handler for tests about events: every socket is let in, its leaving does nothing, its events go to one lambda. */
record EventsOnly(String namespace, EventHandling events) implements NamespaceHandler {

    @FunctionalInterface
    interface EventHandling {
        void onEvent(IndirectSocket socket, String event, SocketArgs args, Ack ack);
    }

    @Override
    public void onConnect(IndirectSocket socket) {
    }

    @Override
    public void onEvent(IndirectSocket socket, String event, SocketArgs args, Ack ack) {
        events.onEvent(socket, event, args, ack);
    }

    @Override
    public void onDisconnect(IndirectSocket socket, String reason) {
    }
}
