package io.github.siodistributor.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import io.github.siodistributor.core.worker.WorkerSettings;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ServedNamespacesTest {

    private static final String GAMES = "^/game-\\d+$";

    @Test
    void aSpecStartingWithACaretIsAPatternAnyOtherIsAName() {
        assertThat(ServedNamespaces.isPattern(GAMES)).isTrue();
        assertThat(ServedNamespaces.isPattern("^")).isTrue();
        assertThat(ServedNamespaces.isPattern("/chat")).isFalse();
        assertThat(ServedNamespaces.isPattern("/")).isFalse();
        // regex characters in a name are just characters
        assertThat(ServedNamespaces.isPattern("/a.b")).isFalse();
    }

    @Test
    void keepsTheSpecsInOrderAndTellsThePatternsApart() {
        ServedNamespaces served = new ServedNamespaces(List.of("/chat", GAMES, "/", "^/room/.+"));

        assertThat(served.specs()).containsExactly("/chat", GAMES, "/", "^/room/.+");
        assertThat(served.patterns()).containsExactly(GAMES, "^/room/.+");
        assertThat(served.toString()).contains("/chat", GAMES);
    }

    @Test
    void aNameServesExactlyItselfEvenWithRegexCharacters() {
        ServedNamespaces served = new ServedNamespaces(List.of("/chat", "/a.b"));

        assertThat(served.specFor("/chat")).isEqualTo("/chat");
        assertThat(served.specFor("/a.b")).isEqualTo("/a.b");
        assertThat(served.specFor("/aXb")).as("'.' in a name is no wildcard").isNull();
        assertThat(served.specFor("/chat2")).isNull();
        assertThat(served.specFor("/cha")).isNull();
        assertThat(served.specFor("/Chat")).isNull();
        assertThat(served.specFor("/")).isNull();
    }

    @Test
    void aPatternMustMatchTheWholeName() {
        ServedNamespaces served = new ServedNamespaces(List.of("^/game-\\d+", "^/room"));

        assertThat(served.specFor("/game-1")).isEqualTo("^/game-\\d+");
        assertThat(served.specFor("/game-123")).isEqualTo("^/game-\\d+");
        // without a '$' the pattern still has to match to the end
        assertThat(served.specFor("/game-12x")).isNull();
        assertThat(served.specFor("/game-")).isNull();
        assertThat(served.specFor("/room")).isEqualTo("^/room");
        assertThat(served.specFor("/rooms")).isNull();
        assertThat(served.specFor("x/room")).isNull();
    }

    @Test
    void anAlternationIsMatchedAsAWhole() {
        ServedNamespaces served = new ServedNamespaces(List.of("^/a|/b"));

        assertThat(served.specFor("/a")).isEqualTo("^/a|/b");
        assertThat(served.specFor("/b")).isEqualTo("^/a|/b");
        assertThat(served.specFor("/ab")).isNull();
        assertThat(served.specFor("/b/c")).isNull();
    }

    @Test
    void theFirstMatchingPatternWins() {
        ServedNamespaces specificFirst = new ServedNamespaces(List.of(GAMES, "^/game-.*"));
        ServedNamespaces generalFirst = new ServedNamespaces(List.of("^/game-.*", GAMES));

        assertThat(specificFirst.specFor("/game-7")).isEqualTo(GAMES);
        assertThat(specificFirst.specFor("/game-x")).isEqualTo("^/game-.*");
        assertThat(generalFirst.specFor("/game-7")).isEqualTo("^/game-.*");
        assertThat(generalFirst.specFor("/game-x")).isEqualTo("^/game-.*");
    }

    @Test
    void anExactNameBeatsAPatternWhereverItIsListed() {
        ServedNamespaces served = new ServedNamespaces(List.of("^/.*", GAMES, "/game-1"));

        assertThat(served.specFor("/game-1")).isEqualTo("/game-1");
        assertThat(served.specFor("/game-2")).isEqualTo("^/.*");
        assertThat(served.specFor("/chat")).isEqualTo("^/.*");
    }

    @Test
    void nothingServesAnUnknownNamespace() {
        ServedNamespaces served = new ServedNamespaces(List.of("/", GAMES));

        assertThat(served.specFor("/chat")).isNull();
        assertThat(new ServedNamespaces(List.of()).specFor("/")).isNull();
        assertThat(new ServedNamespaces(List.of()).specs()).isEmpty();
    }

    @Test
    void coversTellsWhetherASpecStandsForANamespace() {
        ServedNamespaces served = new ServedNamespaces(List.of("/chat", GAMES, "/game-1"));

        assertThat(served.covers("/chat", "/chat")).isTrue();
        assertThat(served.covers("/chat", "/chat2")).isFalse();
        assertThat(served.covers("/chat", "/game-1")).isFalse();
        assertThat(served.covers(GAMES, "/game-42")).isTrue();
        assertThat(served.covers(GAMES, "/game-42/x")).isFalse();
        assertThat(served.covers(GAMES, "/chat")).isFalse();
        // a pattern covers a name it matches even where the name has a spec of its own
        assertThat(served.covers(GAMES, "/game-1")).isTrue();
        assertThat(served.covers("/game-1", "/game-1")).isTrue();
        assertThat(served.covers("/game-1", "/game-2")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"^/game-(\\d+", "^/[a-", "^/x{2,1}", "^/a)"})
    void anInvalidPatternIsRejectedWithAClearMessage(String pattern) {
        assertThatIllegalArgumentException().isThrownBy(() -> ServedNamespaces.requireValid(pattern))
                .withMessageContaining("namespace pattern '" + pattern + "'")
                .withMessageContaining("is not a valid regular expression");
        assertThatIllegalArgumentException().isThrownBy(() -> new ServedNamespaces(List.of("/chat", pattern)))
                .withMessageContaining(pattern).withMessageContaining("is not a valid regular expression");
    }

    @Test
    void theMessageOfAnInvalidPatternSaysWhatIsWrong() {
        assertThatIllegalArgumentException().isThrownBy(() -> ServedNamespaces.requireValid("^/game-(\\d+"))
                .withMessageContaining("Unclosed group");
    }

    @ParameterizedTest
    @ValueSource(strings = {"chat", "", " /chat", "game-\\d+", "$/x", "\\/chat"})
    void aSpecStartingWithNeitherSlashNorCaretIsRejected(String spec) {
        assertThatIllegalArgumentException().isThrownBy(() -> ServedNamespaces.requireValid(spec))
                .withMessageContaining("'" + spec + "'")
                .withMessageContaining("must start with '/' (a name) or '^' (a pattern");
        assertThatIllegalArgumentException().isThrownBy(() -> new ServedNamespaces(List.of(spec)));
    }

    @Test
    void aNullSpecIsRejected() {
        assertThatNullPointerException().isThrownBy(() -> ServedNamespaces.requireValid(null))
                .withMessageContaining("namespace");
    }

    @Test
    void requireValidReturnsTheSpecUnchanged() {
        assertThat(ServedNamespaces.requireValid("/chat")).isEqualTo("/chat");
        assertThat(ServedNamespaces.requireValid(GAMES)).isEqualTo(GAMES);
    }

    // ---- worker settings ------------------------------------------------------------------------

    private static WorkerSettings workerServing(List<String> namespaces) {
        return new WorkerSettings("w-1", "127.0.0.1", 0, namespaces, new ChannelNames("sio"));
    }

    @Test
    void workerSettingsAcceptNamesAndPatterns() {
        WorkerSettings settings = workerServing(List.of("/", "/chat", GAMES));

        assertThat(settings.namespaces()).containsExactly("/", "/chat", GAMES);
        assertThat(new ServedNamespaces(settings.namespaces()).specFor("/game-3")).isEqualTo(GAMES);
    }

    @Test
    void workerSettingsRejectAnInvalidPattern() {
        assertThatIllegalArgumentException().isThrownBy(() -> workerServing(List.of("/", "^/game-(\\d+")))
                .withMessageContaining("^/game-(\\d+").withMessageContaining("is not a valid regular expression");
    }

    @Test
    void workerSettingsRejectANamespaceWithoutSlashOrCaret() {
        assertThatIllegalArgumentException().isThrownBy(() -> workerServing(List.of("/", "chat")))
                .withMessageContaining("'chat'").withMessageContaining("must start with '/'");
    }
}
