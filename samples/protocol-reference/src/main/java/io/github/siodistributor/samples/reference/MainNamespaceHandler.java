package io.github.siodistributor.samples.reference;

import io.github.siodistributor.backend.annotation.SocketNamespace;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** The reference behaviour on the main namespace. */
@Component
@SocketNamespace("/")
public class MainNamespaceHandler extends ReferenceHandler {

    public MainNamespaceHandler(JsonMapper json) {
        super(json);
    }
}
