package io.github.siodistributor.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The chat page in real headless Chromium, against the sample as a user starts it (worker, backend and
 * embedded Redis in one application), on free ports. {@code chat-browser.js} plays the scenario and
 * reports what each page shows; this test checks it. Skipped where Debian's Chromium is not installed.
 */
class ChatPageBrowserIT {

    /** Debian's Chromium; another one with {@code -Dbrowser-test.chromium=...}. */
    private static final Path CHROMIUM = Path.of(System.getProperty("browser-test.chromium", "/usr/bin/chromium"));
    private static final long SCRIPT_SECONDS = 180;

    @Test
    void twoPagesChatInARoomAndAThirdInAnotherRoomSeesNothingOfIt() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "no Chromium at " + CHROMIUM
                + ": the browser test is skipped (apt-get install -y chromium to run it; .ci/run does)");
        Path js = Path.of(System.getProperty("browser-test.js-dir", "target/browser-test"));
        Path screenshot = Path.of("target", "chat.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);

        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(ChatApplication.class).run(
                "--server.port=0", "--distributor.worker.port=0")) {
            String pageUrl = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port") + "/";
            JsonNode pages = runScenario(js, pageUrl, screenshot);

            JsonNode ada = pages.get("ada");
            JsonNode bob = pages.get("bob");
            List<String> conversation = List.of("Hi Bob! Did the worker tell you I was here?",
                    "It did: your message went through Redis to the backend and back.",
                    "And the online list comes from fetchSockets() on every worker.");
            for (JsonNode page : List.of(ada, bob)) {
                assertThat(page.get("activeRoom").asText()).isEqualTo("# lobby");
                assertThat(texts(page.get("messages"), "text")).containsExactlyElementsOf(conversation);
                assertThat(texts(page.get("online"))).containsExactly("Ada", "Bob");
                assertThat(page.get("status").asText()).startsWith("connected over");
            }
            // each page shows its own messages as "you" and the other's under their name
            assertThat(texts(ada.get("messages"), "who")).containsExactly("you", "Bob", "you");
            assertThat(texts(bob.get("messages"), "who")).containsExactly("Ada", "you", "Ada");

            JsonNode cleo = pages.get("cleo");
            assertThat(texts(cleo.get("rooms"))).containsExactly("garden");
            assertThat(texts(cleo.get("online"))).containsExactly("Cleo");
            assertThat(texts(cleo.get("messages"), "text")).containsExactly("Quiet in the garden.");
            assertThat(cleo.get("text").asText()).doesNotContain("Bob", "Ada", "fetchSockets")
                    .contains("cannot join #two words: a room name is 1 to 32 letters, digits, _ or -");

            assertThat(screenshot).isNotEmptyFile();
        }
    }

    /** Runs chat-browser.js and returns what it reports each page showed; fails with its output otherwise. */
    private static JsonNode runScenario(Path js, String pageUrl, Path screenshot) throws Exception {
        Path stdout = Files.createTempFile("chat-browser", ".out");
        Path stderr = Files.createTempFile("chat-browser", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder("node", "chat-browser.js", pageUrl, screenshot.toString())
                    .directory(js.toFile()).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
            builder.environment().put("CHROMIUM", CHROMIUM.toString());
            Process node = builder.start();
            if (!node.waitFor(SCRIPT_SECONDS, TimeUnit.SECONDS)) {
                node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("chat-browser.js still running after " + SCRIPT_SECONDS + " s; stdout:\n"
                        + read(stdout) + "\nstderr:\n" + read(stderr));
            }
            String report = read(stdout);
            assertThat(node.exitValue()).as("chat-browser.js exit code; stdout:%n%s%nstderr:%n%s", report, read(stderr))
                    .isZero();
            return new ObjectMapper().readTree(report.lines().reduce((first, last) -> last).orElseThrow());
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    private static List<String> texts(JsonNode array, String field) {
        return StreamSupport.stream(array.spliterator(), false).map(node -> node.get(field).asText()).toList();
    }

    private static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }
}
