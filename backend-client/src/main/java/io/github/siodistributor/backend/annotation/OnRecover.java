package io.github.siodistributor.backend.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Called when this backend instance takes over a socket that another instance of the namespace had: that
 * instance died ({@code "backend instance lost"}) or stopped and handed its sockets over
 * ({@code "backend instance left"}). The socket's later events come here. A stateless backend rebuilds
 * what it keeps about the socket from the handshake and rooms (Socket.IO Cluster's "no-client" signal).
 * Parameters are bound by type: {@code RemoteSocket} (with its rooms and data) or {@code IndirectSocket},
 * {@code IndirectNamespace}, {@code Handshake}, and a {@code String} for the reason.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface OnRecover {
}
