package io.github.siodistributor.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A name from a client, as it goes into a log line: one line, shown in its own order, its escapes unambiguous. */
class LoggedTextTest {

    @Test
    void lineEndsAndControlsAreEscaped() {
        assertThat(LoggedText.of("a\nb\rc\td\u0000e\u0085f\u2028g\u001b[31m").toString())
                .isEqualTo("a\\nb\\rc\\td\\u0000e\\u0085f\\u2028g\\u001b[31m");
    }

    @Test
    void aBackslashIsDoubledSoThatItCannotPassForAnEscape() {
        assertThat(LoggedText.of("x\\n").toString()).isEqualTo("x\\\\n")
                .isNotEqualTo(LoggedText.of("x\n").toString());
    }

    @Test
    void bidirectionalControlsAreEscaped() {
        assertThat(LoggedText.of("admin\u202e\u2066\u200f").toString()).isEqualTo("admin\\u202e\\u2066\\u200f");
    }

    @Test
    void longTextIsCutSayingHowLongItWas() {
        assertThat(LoggedText.of("x".repeat(10_000)).toString())
                .hasSize(LoggedText.MAX_CHARS + "... (10000 characters)".length())
                .endsWith("... (10000 characters)");
        assertThat(LoggedText.of(null)).hasToString("null");
        assertThat(LoggedText.of("plain /chat 'say'")).hasToString("plain /chat 'say'");
    }
}
