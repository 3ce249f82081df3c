package io.github.siodistributor.samples.multinamespace;

import io.github.siodistributor.backend.annotation.SocketNamespace;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/** {@code /gameA}, in the process started with the {@code gameA} profile. */
@Component
@Profile("gameA")
@SocketNamespace("/gameA")
public class GameABackend extends GameBackend {

    public GameABackend(BackendProcess process) {
        super(process);
    }
}
