package io.github.siodistributor.autoconfigure;

import io.github.siodistributor.backend.NamespaceHandler;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import io.github.siodistributor.backend.runtime.AnnotatedNamespaceHandler;
import io.github.siodistributor.backend.runtime.DistributorBackend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.ApplicationContext;

/**
 * Registers the application's handlers with the backend once every singleton exists: the
 * {@code @SocketNamespace} beans (adapted by their annotated methods) and any {@link NamespaceHandler}
 * beans. Done after the singletons rather than while creating the backend so that handlers may
 * inject the backend's {@code IndirectServer} themselves.
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
        context.getBeansWithAnnotation(SocketNamespace.class).forEach((name, bean) -> {
            Class<?> userClass = AopUtils.getTargetClass(bean);
            backend.register(new AnnotatedNamespaceHandler(bean, userClass));
        });
        context.getBeansOfType(NamespaceHandler.class).values().forEach(backend::register);
        log.info("Distributor backend handling {}", backend.namespaces());
    }
}
