package io.github.siodistributor.samples.reference;

import io.github.siodistributor.backend.annotation.SocketNamespace;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** The reference behaviour on {@code /custom}. */
@Component
@SocketNamespace("/custom")
public class CustomNamespaceHandler extends ReferenceHandler {

    public CustomNamespaceHandler(JsonMapper json) {
        super(json);
    }
}
