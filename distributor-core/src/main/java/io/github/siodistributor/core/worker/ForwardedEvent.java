package io.github.siodistributor.core.worker;

import io.github.siodistributor.core.protocol.Payload;

/**
 * A client event as the worker forwards it: the name, and the arguments as the JSON array bytes the
 * client sent. {@link ForwardingJsonSupport} produces it in place of netty-socketio's decoded event.
 */
record ForwardedEvent(String name, Payload args) {
}
