package io.github.siodistributor.core.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BackendInstancesTest {

    private static final long GRACE = 3_000_000_000L;

    private final BackendInstances instances = new BackendInstances(GRACE);

    @Test
    void aSocketAlwaysGetsTheSameInstanceAndSocketsSpreadOverAllOfThem() {
        instances.joined("/chat", "a");
        instances.joined("/chat", "b");
        instances.joined("/chat", "c");
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            String socket = "w1.socket-" + i;
            String chosen = instances.choose("/chat", socket);
            assertThat(instances.choose("/chat", socket)).isEqualTo(chosen);
            counts.merge(chosen, 1, Integer::sum);
        }
        assertThat(counts).containsOnlyKeys("a", "b", "c");
        // even in expectation: each gets a third, give or take what chance allows at 3000
        assertThat(counts.values()).allSatisfy(count -> assertThat(count).isBetween(850, 1150));
    }

    @Test
    void whenAnInstanceGoesOnlyItsSocketsChooseAnother() {
        instances.joined("/chat", "a");
        instances.joined("/chat", "b");
        instances.joined("/chat", "c");
        List<String> sockets = IntStream.range(0, 500).mapToObj(i -> "w1.s" + i).toList();
        Map<String, String> before = new HashMap<>();
        sockets.forEach(socket -> before.put(socket, instances.choose("/chat", socket)));

        instances.left("/chat", "b");

        for (String socket : sockets) {
            String now = instances.choose("/chat", socket);
            if (!before.get(socket).equals("b")) {
                assertThat(now).as(socket).isEqualTo(before.get(socket));
            } else {
                assertThat(now).isIn("a", "c");
            }
        }
    }

    @Test
    void noInstanceMeansNoChoice() {
        assertThat(instances.choose("/chat", "w1.s")).isNull();
        instances.joined("/other", "a");
        assertThat(instances.choose("/chat", "w1.s")).isNull();
    }

    @Test
    void anExpiredHeartbeatIsGoneAtOnceAndANewOneAppears() {
        instances.joined("/chat", "a");
        BackendInstances.Changes changes = instances.update(Map.of("/chat", Map.of("a", false, "b", true)), 0);

        assertThat(changes.gone()).containsExactly(new BackendInstances.Instance("/chat", "a"));
        assertThat(changes.appeared()).containsExactly(new BackendInstances.Instance("/chat", "b"));
        assertThat(instances.live("/chat")).containsExactly("b");
    }

    @Test
    void aVanishedEntryIsGivenTheGraceToComeBack() {
        instances.joined("/chat", "a");

        assertThat(instances.update(Map.of("/chat", Map.of()), 0).gone()).isEmpty();
        assertThat(instances.update(Map.of("/chat", Map.of()), GRACE - 1).gone()).isEmpty();
        assertThat(instances.live("/chat")).containsExactly("a");
        assertThat(instances.update(Map.of("/chat", Map.of("a", true)), GRACE + 1).gone()).isEmpty();
        // back in time: the grace starts over the next time it vanishes
        assertThat(instances.update(Map.of("/chat", Map.of()), 2 * GRACE).gone()).isEmpty();
        assertThat(instances.update(Map.of("/chat", Map.of()), 3 * GRACE).gone())
                .containsExactly(new BackendInstances.Instance("/chat", "a"));
        assertThat(instances.live("/chat")).isEmpty();
    }

    @Test
    void anEntryThatExpiredWhileTheRegistryCouldNotBeReadIsGivenTheGraceToRenew() {
        // an outage that kept Redis's data: nobody could renew, and this read may come before their renewals
        instances.joined("/chat", "a");
        instances.joined("/chat", "b");
        instances.unreadable();

        assertThat(instances.update(Map.of("/chat", Map.of("a", false, "b", false)), 10).gone()).isEmpty();
        assertThat(instances.update(Map.of("/chat", Map.of("a", true, "b", false)), 10 + GRACE - 1).gone()).isEmpty();
        assertThat(instances.live("/chat")).containsExactlyInAnyOrder("a", "b");
        // b never renewed: dead once the grace is over
        assertThat(instances.update(Map.of("/chat", Map.of("a", true, "b", false)), 10 + GRACE).gone())
                .containsExactly(new BackendInstances.Instance("/chat", "b"));
        // reads that never failed since: an expiry is death at once again
        assertThat(instances.update(Map.of("/chat", Map.of("a", false)), 10 + GRACE + 1).gone())
                .containsExactly(new BackendInstances.Instance("/chat", "a"));
        assertThat(instances.live("/chat")).isEmpty();
    }

    @Test
    void aDepartedInstanceDoesNotComeBackFromARegistryReadTakenBeforeItLeft() {
        instances.joined("/chat", "a");
        instances.joined("/chat", "b");
        instances.departed("/chat", "a");
        assertThat(instances.hasDeparted("/chat", "a")).isTrue();

        BackendInstances.Changes stale = instances.update(Map.of("/chat", Map.of("a", true, "b", true)), 0);

        assertThat(stale.appeared()).isEmpty();
        assertThat(instances.live("/chat")).containsExactly("b");
        instances.update(Map.of("/chat", Map.of("b", true)), 1);
        assertThat(instances.hasDeparted("/chat", "a")).as("forgotten once the registry no longer lists it").isFalse();
    }

    @Test
    void weightsAreStableAcrossRunsAndMixBothIds() {
        assertThat(BackendInstances.weight("w1.x", "a")).isEqualTo(BackendInstances.weight("w1.x", "a"));
        assertThat(BackendInstances.weight("w1.x", "a")).isNotEqualTo(BackendInstances.weight("w1.y", "a"));
        assertThat(BackendInstances.weight("w1.x", "a")).isNotEqualTo(BackendInstances.weight("w1.x", "b"));
        assertThat(BackendInstances.weight("ab", "c")).isNotEqualTo(BackendInstances.weight("a", "bc"));
    }
}
