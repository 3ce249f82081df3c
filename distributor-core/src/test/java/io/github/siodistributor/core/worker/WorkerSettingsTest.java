package io.github.siodistributor.core.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.siodistributor.core.protocol.ChannelNames;
import io.github.siodistributor.core.protocol.WorkerAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where a worker tells gateways to send its clients. */
class WorkerSettingsTest {

    private static WorkerSettings settings(String host, String advertised) {
        return new WorkerSettings("w1", host, 0, List.of("/chat"), new ChannelNames("sio"), advertised);
    }

    @Test
    void theAdvertisedAddressWinsAndTakesTheBoundPortWhenItHasNone() {
        assertThat(settings(null, "worker-1.internal:9000").advertised(41000))
                .isEqualTo(new WorkerAddress("worker-1.internal", 9000));
        assertThat(settings(null, "10.0.0.7").advertised(41000)).isEqualTo(new WorkerAddress("10.0.0.7", 41000));
    }

    @Test
    void withoutOneItIsTheListeningHostOrAnAddressOfThisMachine() {
        assertThat(settings("127.0.0.1", null).advertised(41000)).isEqualTo(new WorkerAddress("127.0.0.1", 41000));
        for (String allInterfaces : new String[] {null, "0.0.0.0", "::"}) {
            WorkerAddress derived = settings(allInterfaces, null).advertised(41000);
            assertThat(derived.port()).isEqualTo(41000);
            assertThat(derived.host()).isNotIn("0.0.0.0", "::", "*");
        }
    }

    @Test
    void aBadAdvertisedAddressIsRefusedAtOnce() {
        assertThatThrownBy(() -> settings(null, "host:port")).hasMessageContaining("no numeric port");
    }
}
