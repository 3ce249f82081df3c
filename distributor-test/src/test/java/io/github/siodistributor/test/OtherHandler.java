package io.github.siodistributor.test;

import io.github.siodistributor.backend.annotation.OnEvent;
import io.github.siodistributor.backend.annotation.SocketNamespace;
import org.springframework.stereotype.Component;

/** {@code /other}: a second namespace, to multiplex over one connection. */
@Component
@SocketNamespace("/other")
public class OtherHandler {

    @OnEvent("where")
    public String where() {
        return "other";
    }
}
