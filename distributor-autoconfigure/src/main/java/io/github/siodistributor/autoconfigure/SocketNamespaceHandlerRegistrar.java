package io.github.siodistributor.autoconfigure;

import io.github.siodistributor.autoconfigure.failure.DuplicateNamespaceHandlerException;
import io.github.siodistributor.backend.NamespaceHandler;
import io.github.siodistributor.backend.annotation.OnEvent;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import io.github.siodistributor.backend.runtime.AnnotatedNamespaceHandler;
import io.github.siodistributor.backend.runtime.DistributorBackend;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.scope.ScopedProxyUtils;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.ApplicationContext;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Registers the application's handlers with the backend once every singleton exists: the
 * {@code @SocketNamespace} beans (adapted by their annotated methods) and any {@link NamespaceHandler}
 * beans. Done after the singletons rather than while creating the backend so that handlers may
 * inject the backend's {@code IndirectServer} themselves. Two beans for one namespace fail the start with a
 * {@link DuplicateNamespaceHandlerException} naming both.
 */
class SocketNamespaceHandlerRegistrar implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(SocketNamespaceHandlerRegistrar.class);

    private final ApplicationContext context;

    SocketNamespaceHandlerRegistrar(ApplicationContext context) {
        this.context = context;
    }

    @Override
    public void afterSingletonsInstantiated() {
        DistributorBackend backend = context.getBean(DistributorBackend.class);
        Map<String, NamespaceHandler> handlers = new LinkedHashMap<>();
        withoutScopedTargets(context.getBeansWithAnnotation(SocketNamespace.class)).forEach((name, bean) ->
                handlers.put(name, new AnnotatedNamespaceHandler(bean, AopUtils.getTargetClass(bean))));
        handlers.putAll(withoutScopedTargets(context.getBeansOfType(NamespaceHandler.class)));
        refuseDuplicates(handlers);
        handlers.values().forEach(backend::register);
        log.debug("Distributor backend handling {}", backend.namespaces());
    }

    /** A scoped proxy ({@code @RefreshScope}) and its target are one handler: the proxy, which finds the live target. */
    private static <T> Map<String, T> withoutScopedTargets(Map<String, T> beans) {
        Map<String, T> kept = new LinkedHashMap<>(beans);
        kept.keySet().removeIf(ScopedProxyUtils::isScopedTarget);
        return kept;
    }

    private void refuseDuplicates(Map<String, NamespaceHandler> handlers) {
        Map<String, List<String>> beansByNamespace = new LinkedHashMap<>();
        handlers.forEach((name, handler) -> beansByNamespace.computeIfAbsent(handler.namespace(),
                namespace -> new ArrayList<>()).add(name));
        beansByNamespace.forEach((namespace, beans) -> {
            if (beans.size() > 1) {
                throw new DuplicateNamespaceHandlerException(namespace, beans, sharedEvents(beans));
            }
        });
    }

    /** The {@code @OnEvent} names that more than one of the beans declares. */
    private List<String> sharedEvents(List<String> beans) {
        Set<String> seen = new LinkedHashSet<>();
        Set<String> shared = new LinkedHashSet<>();
        for (String bean : beans) {
            Class<?> type = AopUtils.getTargetClass(context.getBean(bean));
            Set<String> events = new LinkedHashSet<>();
            ReflectionUtils.doWithMethods(type, method -> {
                OnEvent onEvent = AnnotatedElementUtils.findMergedAnnotation(method, OnEvent.class);
                if (onEvent != null) {
                    events.add(onEvent.value());
                }
            });
            for (String event : events) {
                if (!seen.add(event)) {
                    shared.add(event);
                }
            }
        }
        return List.copyOf(shared);
    }
}
