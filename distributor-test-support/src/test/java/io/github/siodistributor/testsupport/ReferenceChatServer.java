package io.github.siodistributor.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs src/test/js/reference-chat-server.js (copied to target/js by the build) on a free port. */
final class ReferenceChatServer implements AutoCloseable {

    private final Process process;
    private final int port;

    ReferenceChatServer() throws IOException {
        Path jsDir = NodeClients.resolveJsDir();
        port = FreePorts.find();
        process = new ProcessBuilder("node", jsDir.resolve("reference-chat-server.js").toString(), String.valueOf(port))
                .directory(jsDir.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        CompletableFuture<String> listening = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.contains("\"listening\"")) {
                        listening.complete(line);
                    }
                }
            } catch (IOException ignored) {
                // process gone
            } finally {
                listening.completeExceptionally(new IllegalStateException("reference server exited early"));
            }
        }, "reference-chat-server-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            listening.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            close();
            throw new IllegalStateException("reference chat server did not start on port " + port, e);
        }
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        try {
            process.getOutputStream().close(); // the server exits when its stdin closes
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (IOException | InterruptedException e) {
            process.destroyForcibly();
        }
    }
}
