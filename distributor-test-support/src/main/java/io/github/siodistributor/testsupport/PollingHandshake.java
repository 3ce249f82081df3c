package io.github.siodistributor.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** An Engine.IO v4 long-polling handshake over plain HTTP: the smallest real client a worker can get. */
public final class PollingHandshake {

    private PollingHandshake() {
    }

    /** Opens a session on the worker at 127.0.0.1:{@code port}; the body holds the open packet with its sid. */
    public static HttpResponse<String> open(int port) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/socket.io/?EIO=4&transport=polling")).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
