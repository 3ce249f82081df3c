package io.github.siodistributor.backend.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Called when a client leaves the namespace. Parameters are bound by type: {@code IndirectSocket},
 * {@code IndirectNamespace}, {@code Handshake}, and a {@code String} for the Socket.IO disconnect
 * reason (for example {@code "transport close"}).
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface OnDisconnect {
}
