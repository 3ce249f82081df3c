package io.github.siodistributor.samples.multinamespace;

import io.github.siodistributor.backend.annotation.SocketNamespace;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/** {@code /gameB}, in the process started with the {@code gameB} profile. */
@Component
@Profile("gameB")
@SocketNamespace("/gameB")
public class GameBBackend extends GameBackend {

    public GameBBackend(BackendProcess process) {
        super(process);
    }
}
