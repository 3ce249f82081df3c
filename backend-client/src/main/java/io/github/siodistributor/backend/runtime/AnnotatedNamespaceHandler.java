package io.github.siodistributor.backend.runtime;

import io.github.siodistributor.backend.Ack;
import io.github.siodistributor.backend.EventRejectedException;
import io.github.siodistributor.backend.IndirectNamespace;
import io.github.siodistributor.backend.IndirectSocket;
import io.github.siodistributor.backend.NamespaceHandler;
import io.github.siodistributor.backend.RemoteSocket;
import io.github.siodistributor.backend.SocketArgs;
import io.github.siodistributor.backend.annotation.OnConnect;
import io.github.siodistributor.backend.annotation.OnDisconnect;
import io.github.siodistributor.backend.annotation.OnEvent;
import io.github.siodistributor.backend.annotation.OnRecover;
import io.github.siodistributor.backend.annotation.OnServerSideEvent;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import io.github.siodistributor.core.protocol.LoggedText;
import io.github.siodistributor.core.protocol.Handshake;
import io.github.siodistributor.core.protocol.ServedNamespaces;
import io.github.siodistributor.core.socketio.ReservedEvents;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.MismatchedInputException;

/**
 * A {@link NamespaceHandler} made from a {@link SocketNamespace} bean: finds its annotated methods
 * once, decides how each parameter is bound, and calls them. Mistakes (two methods for one event, a
 * parameter that cannot be bound) fail here, at start-up, not at the first event.
 */
public final class AnnotatedNamespaceHandler implements NamespaceHandler {

    private static final Logger log = LoggerFactory.getLogger(AnnotatedNamespaceHandler.class);

    private final String namespace;
    private final boolean nonBlocking;
    private final Object bean;
    private final List<HandlerMethod> connectMethods = new ArrayList<>();
    private final List<HandlerMethod> disconnectMethods = new ArrayList<>();
    private final List<HandlerMethod> recoverMethods = new ArrayList<>();
    private final Map<String, HandlerMethod> eventMethods = new HashMap<>();
    private final Map<String, HandlerMethod> serverSideEventMethods = new HashMap<>();

    /**
     * The namespace {@code annotation} on {@code userClass} names (or matches).
     *
     * @throws IllegalArgumentException naming the class, when it is not a valid name or pattern
     */
    public static String validNamespace(SocketNamespace annotation, Class<?> userClass) {
        try {
            return ServedNamespaces.requireValid(annotation.value());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("@SocketNamespace(\"" + annotation.value() + "\") on "
                    + userClass.getName() + ": " + e.getMessage(), e);
        }
    }

    /** @param userClass the bean's own class (not a proxy subclass), where the annotations are */
    public AnnotatedNamespaceHandler(Object bean, Class<?> userClass) {
        SocketNamespace annotation = userClass.getAnnotation(SocketNamespace.class);
        if (annotation == null) {
            throw new IllegalArgumentException(userClass.getName() + " is not annotated with @SocketNamespace");
        }
        this.namespace = validNamespace(annotation, userClass);
        this.nonBlocking = annotation.nonBlocking();
        this.bean = bean;
        Method[] methods = userClass.getMethods();
        for (Method method : methods) {
            if (isBridgeOfAnother(method, methods)) {
                continue;
            }
            if (method.isAnnotationPresent(OnConnect.class)) {
                connectMethods.add(new HandlerMethod(method, Kind.CONNECT));
            }
            if (method.isAnnotationPresent(OnDisconnect.class)) {
                disconnectMethods.add(new HandlerMethod(method, Kind.DISCONNECT));
            }
            if (method.isAnnotationPresent(OnRecover.class)) {
                recoverMethods.add(new HandlerMethod(method, Kind.RECOVER));
            }
            OnEvent onEvent = method.getAnnotation(OnEvent.class);
            if (onEvent != null) {
                addEventMethod(eventMethods, onEvent.value(), new HandlerMethod(method, Kind.EVENT), "event");
            }
            OnServerSideEvent onServerSideEvent = method.getAnnotation(OnServerSideEvent.class);
            if (onServerSideEvent != null) {
                addEventMethod(serverSideEventMethods, onServerSideEvent.value(),
                        new HandlerMethod(method, Kind.SERVER_SIDE_EVENT), "server-side event");
            }
        }
        for (Method method : userClass.getDeclaredMethods()) {
            boolean annotated = method.isAnnotationPresent(OnConnect.class) || method.isAnnotationPresent(OnEvent.class)
                    || method.isAnnotationPresent(OnDisconnect.class) || method.isAnnotationPresent(OnRecover.class)
                    || method.isAnnotationPresent(OnServerSideEvent.class);
            if (annotated && !Modifier.isPublic(method.getModifiers())) {
                throw new IllegalStateException("handler method " + method + " must be public");
            }
        }
    }

    /**
     * A bridge javac made for a generic or covariant override, annotations copied, whose real method is listed too:
     * one handler, not two. A bridge that only makes a package-private class's public method public is the one way
     * to reach that method, and stays.
     */
    private static boolean isBridgeOfAnother(Method method, Method[] methods) {
        if (!method.isBridge()) {
            return false;
        }
        for (Method other : methods) {
            if (!other.isBridge() && other.getName().equals(method.getName()) && overrides(other, method)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code real} can stand for {@code bridge}: the bridge's types are the erased, wider ones. */
    private static boolean overrides(Method real, Method bridge) {
        Class<?>[] realTypes = real.getParameterTypes();
        Class<?>[] bridgeTypes = bridge.getParameterTypes();
        if (realTypes.length != bridgeTypes.length || !bridge.getReturnType().isAssignableFrom(real.getReturnType())) {
            return false;
        }
        for (int i = 0; i < realTypes.length; i++) {
            if (!bridgeTypes[i].isAssignableFrom(realTypes[i])) {
                return false;
            }
        }
        return true;
    }

    private void addEventMethod(Map<String, HandlerMethod> methods, String event, HandlerMethod method, String kind) {
        if (ReservedEvents.isReserved(event)) {
            // no client or backend can emit it, so the method would never run
            throw new IllegalStateException(kind + " '" + event + "' of " + method.method + " is a reserved name, "
                    + "which is never emitted: use @OnConnect or @OnDisconnect for a socket's arrival and leaving");
        }
        HandlerMethod previous = methods.put(event, method);
        if (previous != null) {
            throw new IllegalStateException(kind + " '" + event + "' of " + namespace + " has two handler methods: "
                    + previous.method + " and " + method.method);
        }
    }

    @Override
    public boolean nonBlocking() {
        return nonBlocking;
    }

    @Override
    public String namespace() {
        return namespace;
    }

    public java.util.Set<String> events() {
        return java.util.Collections.unmodifiableSet(eventMethods.keySet());
    }

    @Override
    public void onConnect(IndirectSocket socket) {
        for (HandlerMethod method : connectMethods) {
            method.invoke(bean, new Call(socket, socket.namespace(), null, NO_ACK, null));
        }
    }

    @Override
    public void onEvent(IndirectSocket socket, String event, SocketArgs args, Ack ack) {
        dispatch(eventMethods.get(event), "event", event, new Call(socket, socket.namespace(), args, ack, null));
    }

    @Override
    public void onServerSideEvent(IndirectNamespace from, String event, SocketArgs args, Ack ack) {
        dispatch(serverSideEventMethods.get(event), "server-side event", event, new Call(null, from, args, ack, null));
    }

    private void dispatch(HandlerMethod method, String kind, String event, Call call) {
        if (method == null) {
            log.debug("No handler for {} '{}' in {}", kind, LoggedText.of(event), namespace);
            if (call.ack().requested()) {
                throw new EventRejectedException("no handler for " + kind + " '" + event + "' in namespace "
                        + namespace);
            }
            return;
        }
        Object result = method.invoke(bean, call);
        if (result instanceof CompletionStage<?> later) {
            // answered once it completes, as by a handler that calls its Ack later; a method that takes the Ack
            // answers through it, and only a failure of the stage answers for it
            later.whenComplete((value, failure) -> {
                Throwable failed = failure;
                if (failed == null) {
                    try {
                        if (!method.bindsAck()) {
                            answer(call.ack(), value);
                        }
                        return;
                    } catch (RuntimeException | StackOverflowError | LinkageError | AssertionError e) {
                        failed = e; // the value cannot be sent (Jackson cannot write it, or it is too large)
                    }
                }
                try {
                    failLater(call.ack(), kind, event, failed);
                } catch (RuntimeException | Error e) {
                    // thrown here it would vanish into the stage no one looks at
                    log.error("Answering the failure of {} '{}' in {} failed", kind, event, namespace, e);
                }
            });
        } else if (method.returnsValue()) {
            answer(call.ack(), result);
        }
    }

    private static void answer(Ack ack, Object value) {
        ack.send(value instanceof SocketArgs raw ? new Object[] {raw} : new Object[] {value});
    }

    private void failLater(Ack ack, String kind, String event, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (ack instanceof FailableAck failable) {
            failable.fail(cause);
        } else {
            log.error("The answer of {} '{}' in {} failed", kind, event, namespace, cause);
        }
    }

    @Override
    public void onDisconnect(IndirectSocket socket, String reason) {
        for (HandlerMethod method : disconnectMethods) {
            method.invoke(bean, new Call(socket, socket.namespace(), null, NO_ACK, reason));
        }
    }

    @Override
    public void onRecover(RemoteSocket socket, String reason) {
        for (HandlerMethod method : recoverMethods) {
            method.invoke(bean, new Call(socket, socket.namespace(), null, NO_ACK, reason));
        }
    }

    @Override
    public String toString() {
        return bean.getClass().getName() + " for " + namespace;
    }

    private static final Ack NO_ACK = new Ack() {
        @Override
        public boolean requested() {
            return false;
        }

        @Override
        public void send(Object... args) {
        }
    };

    private enum Kind {
        CONNECT, EVENT, DISCONNECT, RECOVER, SERVER_SIDE_EVENT;

        boolean carriesReason() {
            return this == DISCONNECT || this == RECOVER;
        }

        boolean carriesArguments() {
            return this == EVENT || this == SERVER_SIDE_EVENT;
        }
    }

    /** What one invocation can bind parameters from; a server-side event has no socket. */
    private record Call(IndirectSocket socket, IndirectNamespace namespace, SocketArgs args, Ack ack, String reason) {
    }

    @FunctionalInterface
    private interface Binder {
        Object bind(Call call);
    }

    private static final class HandlerMethod {
        private final Method method;
        private final Binder[] binders;
        private boolean bindsAck;

        HandlerMethod(Method method, Kind kind) {
            this.method = method;
            if (!Modifier.isPublic(method.getDeclaringClass().getModifiers())) {
                // package-private @Component classes are common; reach their public methods all the same
                method.setAccessible(true);
            }
            Parameter[] parameters = method.getParameters();
            this.binders = new Binder[parameters.length];
            int argumentIndex = 0;
            for (int i = 0; i < parameters.length; i++) {
                Class<?> type = parameters[i].getType();
                if (kind == Kind.SERVER_SIDE_EVENT && (type == IndirectSocket.class || type == Handshake.class)) {
                    throw new IllegalStateException("cannot bind parameter " + parameters[i].getName() + " of type "
                            + type.getSimpleName() + " in " + method + ": a server-side event comes from another "
                            + "backend, not from a socket");
                } else if (type == IndirectSocket.class) {
                    binders[i] = Call::socket;
                } else if (kind == Kind.RECOVER && type == RemoteSocket.class) {
                    binders[i] = Call::socket;
                } else if (type == IndirectNamespace.class) {
                    binders[i] = Call::namespace;
                } else if (type == Handshake.class) {
                    binders[i] = call -> call.socket().handshake();
                } else if (kind.carriesArguments() && type == SocketArgs.class) {
                    binders[i] = Call::args;
                } else if (kind.carriesArguments() && type == Ack.class) {
                    binders[i] = Call::ack;
                    bindsAck = true;
                } else if (kind.carriesReason() && type == String.class) {
                    binders[i] = Call::reason;
                } else if (kind.carriesArguments()) {
                    int index = argumentIndex++;
                    java.lang.reflect.Type generic = parameters[i].getParameterizedType();
                    boolean primitive = type.isPrimitive();
                    binders[i] = call -> {
                        Object value;
                        try {
                            value = call.args().get(index, generic);
                        } catch (JacksonException e) {
                            // the client learns the shape that was expected; the application's class names and
                            // Jackson's account of them stay here
                            log.debug("Argument {} of {} cannot be converted to {}: {}", index, method,
                                    generic.getTypeName(), e.getOriginalMessage());
                            throw new EventRejectedException("argument " + index + " cannot be converted: "
                                    + whatWasExpected(e, type));
                        }
                        if (value == null && primitive) {
                            throw new EventRejectedException("argument " + index + " is missing or null: "
                                    + expectedJson(type) + " expected");
                        }
                        return value;
                    };
                } else {
                    throw new IllegalStateException("cannot bind parameter " + parameters[i].getName() + " of type "
                            + type.getName() + " in " + method + "; supported here: " + (kind == Kind.SERVER_SIDE_EVENT
                            ? "IndirectNamespace" : "IndirectSocket, IndirectNamespace, Handshake")
                            + (kind == Kind.RECOVER ? ", RemoteSocket" : "")
                            + (kind.carriesReason() ? ", String (the reason)" : ""));
                }
            }
        }

        /**
         * What the client should have sent: at the field of the argument where conversion failed, when Jackson says
         * which (a record whose {@code x} got "one"), else for the argument as a whole.
         */
        private static String whatWasExpected(JacksonException failure, Class<?> type) {
            StringBuilder field = new StringBuilder();
            for (JacksonException.Reference step : failure.getPath()) {
                if (step.getPropertyName() != null) {
                    field.append(field.isEmpty() ? "" : ".").append(step.getPropertyName());
                } else if (step.getIndex() >= 0) {
                    field.append('[').append(step.getIndex()).append(']');
                }
            }
            if (field.isEmpty() || !(failure instanceof MismatchedInputException mismatch)
                    || mismatch.getTargetType() == null) {
                return expectedJson(type) + " expected";
            }
            return expectedJson(mismatch.getTargetType()) + " expected at " + field;
        }

        /** What a client must send for a parameter of {@code type}, in JSON's words. */
        private static String expectedJson(Class<?> type) {
            if (type == boolean.class || type == Boolean.class) {
                return "a boolean";
            }
            if (type.isPrimitive() && type != char.class || Number.class.isAssignableFrom(type)) {
                return "a number";
            }
            if (CharSequence.class.isAssignableFrom(type) || type == char.class || type == Character.class
                    || type.isEnum()) {
                return "a string";
            }
            if (type == byte[].class) {
                return "binary data";
            }
            if (type.isArray() || Iterable.class.isAssignableFrom(type)) {
                return "an array";
            }
            return "an object";
        }

        boolean bindsAck() {
            return bindsAck;
        }

        boolean returnsValue() {
            return method.getReturnType() != void.class;
        }

        Object invoke(Object bean, Call call) {
            Object[] values = new Object[binders.length];
            for (int i = 0; i < binders.length; i++) {
                values[i] = binders[i].bind(call);
            }
            try {
                return method.invoke(bean, values);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new DistributorBackend.HandlerInvocationException(method + " failed", cause);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(method + " is not accessible", e);
            }
        }
    }
}
