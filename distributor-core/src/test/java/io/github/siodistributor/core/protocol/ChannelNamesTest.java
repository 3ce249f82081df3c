package io.github.siodistributor.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChannelNamesTest {

    @Test
    void namesEveryChannelUnderThePrefix() {
        ChannelNames channels = new ChannelNames("sio");

        assertThat(channels.prefix()).isEqualTo("sio");
        assertThat(channels.instance("b-1")).isEqualTo("sio:instance:b-1");
        assertThat(channels.instances()).isEqualTo("sio:instances");
        assertThat(channels.instanceRegistry("/chat")).isEqualTo("sio:registry:/chat");
        assertThat(channels.worker("w-1")).isEqualTo("sio:worker:w-1");
        assertThat(channels.broadcast("/chat")).isEqualTo("sio:broadcast:/chat");
        assertThat(channels.instanceRegistry("/")).isEqualTo("sio:registry:/");
    }

    @Test
    void theThreeKindsOfChannelNeverCollide() {
        ChannelNames channels = new ChannelNames("p");

        assertThat(Set.of(channels.instance("/x"), channels.worker("/x"), channels.broadcast("/x"))).hasSize(3);
    }

    @Test
    void differentPrefixesGiveDifferentChannels() {
        ChannelNames blue = new ChannelNames("blue");
        ChannelNames green = new ChannelNames("green");

        assertThat(blue.instances()).isNotEqualTo(green.instances()).startsWith("blue:");
        assertThat(blue.worker("w")).isNotEqualTo(green.worker("w")).startsWith("blue:");
        assertThat(blue.broadcast("/chat")).isNotEqualTo(green.broadcast("/chat")).startsWith("blue:");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sio", "my-app", "a", "app:v2", "ünï", "x.y_z"})
    void acceptsPrefixesWithoutWhitespace(String prefix) {
        assertThat(new ChannelNames(prefix).prefix()).isEqualTo(prefix);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "   ", "\t", "a b", "a\tb", "sio\n", " sio", "a\u2003b"})
    void rejectsEmptyOrWhitespacePrefixes(String prefix) {
        assertThatIllegalArgumentException().isThrownBy(() -> new ChannelNames(prefix))
                .withMessageContaining("prefix");
    }

    @Test
    void rejectsANullPrefix() {
        assertThatNullPointerException().isThrownBy(() -> new ChannelNames(null)).withMessageContaining("prefix");
    }

    @Test
    void isAValueObject() {
        assertThat(new ChannelNames("sio")).isEqualTo(new ChannelNames("sio")).hasSameHashCodeAs(new ChannelNames("sio"))
                .isNotEqualTo(new ChannelNames("other"));
    }
}
