package io.github.siodistributor.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Driver process lifecycle and js-dir resolution, without any Socket.IO server. */
class NodeClientsDriverTest {

    @Test
    void driverExitsWhenStdinCloses() throws Exception {
        Path jsDir = NodeClients.resolveJsDir();
        Process driver = new ProcessBuilder("node", jsDir.resolve("client-driver.js").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(driver.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).isEqualTo("{\"type\":\"ready\"}");
            driver.getOutputStream().close();
            assertThat(driver.waitFor(10, TimeUnit.SECONDS)).as("driver exited after stdin closed").isTrue();
            assertThat(driver.exitValue()).isZero();
        } finally {
            driver.destroyForcibly();
        }
    }

    @Test
    void unparsableAndUnknownCommandsYieldErrorLines() {
        try (NodeClients clients = new NodeClients()) {
            clients.emit("nobody", "x");
            assertThat(clients.awaitEvent(line -> line.path("type").asText().equals("error"), Duration.ofSeconds(10))
                    .path("message").asText()).isEqualTo("unknown id: \"nobody\"");
        }
    }

    @Test
    void awaitTimeoutExplainsItself() {
        try (NodeClients clients = new NodeClients()) {
            assertThatThrownBy(() -> clients.awaitEvent("something that never comes", line -> false, Duration.ofMillis(200)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("timed out after 200 ms waiting for something that never comes")
                    .hasMessageContaining("{\"type\":\"ready\"}")
                    .hasMessageContaining("driver stderr");
        }
    }

    @Test
    void jsDirIsFoundByWalkingUp(@TempDir Path root) throws Exception {
        Path jsDir = root.resolve("distributor-test-support/target/js");
        Files.createDirectories(jsDir.resolve("node_modules"));
        Files.writeString(jsDir.resolve("client-driver.js"), "");
        Path moduleDir = Files.createDirectories(root.resolve("some-module/src"));

        assertThat(NodeClients.resolveJsDir(null, moduleDir)).isEqualTo(jsDir.toAbsolutePath());
        assertThat(NodeClients.resolveJsDir("", root)).isEqualTo(jsDir.toAbsolutePath());
        assertThat(NodeClients.resolveJsDir(jsDir.toString(), Path.of("/"))).isEqualTo(jsDir.toAbsolutePath());
    }

    @Test
    void missingJsDirSaysToRunTheBuild(@TempDir Path root) {
        assertThatThrownBy(() -> NodeClients.resolveJsDir(null, root))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Run the build first");
        assertThatThrownBy(() -> NodeClients.resolveJsDir(root.toString(), root))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("build distributor-test-support first");
    }
}
