package io.github.siodistributor.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WorkerAddressTest {

    @Test
    void parsesHostAndPortWithIpv6InBrackets() {
        assertThat(WorkerAddress.parse("worker-1.internal:9092")).isEqualTo(new WorkerAddress("worker-1.internal", 9092));
        assertThat(WorkerAddress.parse("[::1]:9093")).isEqualTo(new WorkerAddress("::1", 9093));
        assertThat(new WorkerAddress("::1", 9093)).hasToString("[::1]:9093");
        assertThat(new WorkerAddress("10.0.0.7", 9092)).hasToString("10.0.0.7:9092");
    }

    @Test
    void aMissingPortIsTheDefaultOne() {
        assertThat(WorkerAddress.parse("10.0.0.7", 4000)).isEqualTo(new WorkerAddress("10.0.0.7", 4000));
        assertThat(WorkerAddress.parse("[fe80::1]", 4000)).isEqualTo(new WorkerAddress("fe80::1", 4000));
        assertThat(WorkerAddress.parse("10.0.0.7", -1)).isNull();
    }

    @Test
    void badAddressesAreRefusedSayingWhy() {
        assertThatThrownBy(() -> WorkerAddress.parse("host:port")).hasMessageContaining("no numeric port");
        assertThatThrownBy(() -> WorkerAddress.parse("::1:9092")).hasMessageContaining("brackets");
        assertThatThrownBy(() -> WorkerAddress.parse("host:70000")).hasMessageContaining("1..65535");
        assertThatThrownBy(() -> WorkerAddress.parse(" :9092")).hasMessageContaining("host name");
        assertThatThrownBy(() -> WorkerAddress.parse("10.0.0.7")).hasMessageContaining("not host:port");
    }
}
