package io.github.siodistributor.backend.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
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
@Inherited
public @interface SocketNamespace {

    /**
     * The namespace, starting with {@code /}, for example {@code "/chat"}; or, for dynamic namespaces
     * (Socket.IO's {@code io.of(/regex/)}), a regular expression starting with {@code ^} that whole
     * namespace names must match, for example {@code "^/game-\\d+$"}.
     */
    String value();

    /**
     * The handler's methods never block: they run on the thread that reads their events from Redis, with no
     * hand-off to the handler pool ({@code distributor.backend.handler-threads}), as a Node.js server runs its
     * handlers on its one loop. That saves between a third and a half of the backend's CPU per event
     * (BENCHMARKS.md, change 7). Each socket's events still come one at a time and in order, but every socket of
     * every non-blocking namespace of this backend waits while one of these methods runs (and in a process with a
     * worker, the worker's clients too): they must not do I/O, sleep or wait. Waiting on a result
     * of the distributor ({@code emitWithAck(...).join()}, {@code fetchSockets().get()}, ...) throws at once,
     * since the result would arrive on the very thread that waits; chain on the future instead
     * ({@code thenAccept}). A call that takes longer than {@value
     * io.github.siodistributor.backend.runtime.NonBlockingDispatch#SLOW_MILLIS} ms is logged as a warning.
     * By default ({@code false}) handlers run on the handler pool and may block.
     */
    boolean nonBlocking() default false;
}
