package io.github.siodistributor.backend.testfixtures;

import io.github.siodistributor.backend.annotation.OnConnect;
import io.github.siodistributor.backend.annotation.OnEvent;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import io.github.siodistributor.backend.IndirectSocket;

/**
 * A handler declared the way Spring applications often declare components: a package-private class in
 * the application's own package, outside the distributor's packages.
 */
public final class PackagePrivateHandlers {

    private PackagePrivateHandlers() {
    }

    public static Object newHandler() {
        return new PackagePrivateChatHandler();
    }

    public static Class<?> handlerClass() {
        return PackagePrivateChatHandler.class;
    }

    public static int connects(Object handler) {
        return ((PackagePrivateBase) handler).connects;
    }

    /**
     * A public handler whose handler methods are declared in a package-private base class: javac gives it public
     * bridges for them (annotations copied), the only way to reach them from outside the package.
     */
    @SocketNamespace("/inherits")
    public static final class PublicOverPackagePrivateBase extends PackagePrivateBase {

        /** An overload, not an override: the bridge of {@code ping(String)} still stands for the base's method. */
        public String ping(Integer number) {
            return "number " + number;
        }
    }
}

/** Handler methods as a package-private component declares them, for a subclass of either kind. */
abstract class PackagePrivateBase {

    int connects;

    @OnConnect
    public void connected(IndirectSocket socket) {
        connects++;
    }

    @OnEvent("ping")
    public String ping(String text) {
        return "pong " + text;
    }
}

@SocketNamespace("/package-private")
class PackagePrivateChatHandler extends PackagePrivateBase {
}
