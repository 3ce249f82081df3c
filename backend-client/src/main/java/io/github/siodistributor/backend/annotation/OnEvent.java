package io.github.siodistributor.backend.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Handles a client event by name. Parameters are bound by type: {@code IndirectSocket},
 * {@code IndirectNamespace}, {@code Handshake}, {@code SocketArgs} (all arguments, raw), {@code Ack};
 * every other parameter takes the next event argument, converted by Jackson to the declared type
 * (a missing argument is {@code null}). A non-void return value is the ack, when the client asked
 * for one; return {@code SocketArgs} to ack with several arguments.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface OnEvent {

    /** The event name. */
    String value();
}
