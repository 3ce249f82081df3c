package io.github.siodistributor.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The report's medians and its verdicts on the targets of issue 6. */
class ReportTest {

    private static final String CEILING = "| 20,000 WebSocket clients on one worker, heartbeats kept | ";

    @Test
    void mediansOfTheRepetitionsAndTheRatioOfThePeers() {
        Report report = new Report();
        report.add("echo", "distributor", "{\"p50\":0.5,\"cpu.all\":90}");
        report.add("echo", "distributor", "{\"p50\":0.4,\"cpu.all\":80}");
        report.add("echo", "distributor", "{\"p50\":0.9,\"cpu.all\":100}");
        report.add("echo", "node", "{\"p50\":0.3,\"cpu.all\":60}");

        assertThat(report.median("echo", "p50", "distributor")).isEqualTo(0.5);
        String markdown = report.markdown();
        assertThat(markdown).contains("| echo | cpu.all | 90 | 60 | 1.50 | 3 |")
                .contains("| echo p50 <= Node p50 + 0.25 ms | 0.500 ms vs 0.300 + 0.25 ms | yes |")
                .contains("| CPU per echo (all server processes + Redis) <= Node's | 90 µs vs 60 µs (ratio 1.50) | **no** |");
    }

    @Test
    void twentyThousandHeldWithPingsHolds() {
        assertThat(ceilingRow(20_000, 20_000, 3)).isEqualTo(
                CEILING + "20000 of 20000 open after the hold, fewest pings 3 | yes |");
    }

    @Test
    void aSmallerLastStepThatHeldIsNotMeasuredRatherThanFailed() {
        assertThat(ceilingRow(19_000, 19_000, 3)).isEqualTo(CEILING
                + "19000 of 19000 open after the hold, fewest pings 3 | not measured: the last step was 19000 "
                + "clients, and they held |");
    }

    @Test
    void aStepThatLostAClientOrMissedPingsFailsWhateverItsSize() {
        assertThat(ceilingRow(19_000, 18_999, 3)).endsWith("| **no** |");
        assertThat(ceilingRow(20_000, 20_000, 1)).endsWith("| **no** |");
    }

    @Test
    void aRunWithoutTheScenarioSaysSo() {
        assertThat(new Report().markdown()).contains(CEILING + "not measured | ? |");
    }

    private static String ceilingRow(int connections, int open, int pings) {
        Report report = new Report();
        report.add("connections", "distributor", "{\"connections\":" + connections + ",\"openAfterHold\":" + open
                + ",\"fewestPingsInHold\":" + pings + "}");
        return report.markdown().lines().filter(line -> line.startsWith(CEILING)).findFirst().orElseThrow();
    }
}
