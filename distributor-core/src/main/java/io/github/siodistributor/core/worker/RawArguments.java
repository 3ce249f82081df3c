package io.github.siodistributor.core.worker;

import io.github.siodistributor.core.protocol.Payload;

/**
 * Arguments to write to a client exactly as a backend encoded them. Handed to netty-socketio as the
 * single data element of an event or ack packet; {@link ForwardingJsonSupport} splices the bytes in.
 */
record RawArguments(Payload payload) {
}
