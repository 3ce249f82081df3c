package io.github.siodistributor.backend.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Handles an event that another backend instance of the namespace sent with
 * {@code namespace.serverSideEmit(...)} (Socket.IO's {@code io.on("event")} for server-side events).
 * Parameters are bound by type: {@code IndirectNamespace}, {@code SocketArgs}, {@code Ack}; every other
 * parameter takes the next argument, converted by Jackson. A non-void return value is the ack, when
 * the sender asked for one.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface OnServerSideEvent {

    /** The event name. */
    String value();
}
