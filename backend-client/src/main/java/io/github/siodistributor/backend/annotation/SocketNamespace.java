package io.github.siodistributor.backend.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a bean as the backend handler of a Socket.IO namespace. Its {@link OnConnect},
 * {@link OnEvent} and {@link OnDisconnect} methods receive the namespace's sockets, whichever
 * worker holds them. One handler bean per namespace.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface SocketNamespace {

    /**
     * The namespace, starting with {@code /}, for example {@code "/chat"}; or, for dynamic namespaces
     * (Socket.IO's {@code io.of(/regex/)}), a regular expression starting with {@code ^} that whole
     * namespace names must match, for example {@code "^/game-\\d+$"}.
     */
    String value();
}
