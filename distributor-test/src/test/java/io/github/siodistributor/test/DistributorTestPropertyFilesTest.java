package io.github.siodistributor.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.worker.WorkerSettings;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/** A test's property file ({@code @TestPropertySource(locations = ...)}) wins over what {@link DistributorTest} sets. */
@DistributorTest
@TestPropertySource(locations = "classpath:distributor-test-overrides.properties")
class DistributorTestPropertyFilesTest {

    @Autowired
    WorkerSettings settings;

    @Autowired
    DistributorTestClient client;

    @Autowired
    ChannelNames channels;

    @Test
    void eachContextHasAChannelPrefixOfItsOwn() {
        assertThat(channels.prefix()).startsWith("test-").hasSize("test-".length() + 8);
    }

    @Test
    void thePropertyFileOfTheTestWins() {
        assertThat(settings.host()).isEqualTo("localhost");
        assertThat(client.connect("/echo").id()).isNotBlank();
    }
}
