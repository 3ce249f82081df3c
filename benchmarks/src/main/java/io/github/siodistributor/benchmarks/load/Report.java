package io.github.siodistributor.benchmarks.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads the {@code <peer>.<scenario>.<rep>.json} files of one run and prints, as markdown, the median of every
 * number over the repetitions, both peers side by side, then each target of issue 6 with the measured ratio.
 */
public final class Report {

    private static final Pattern FILE = Pattern.compile("(\\w+)\\.(\\w+)\\.(\\d+)\\.json");
    private static final Pattern NUMBER = Pattern.compile("\"([\\w.]+)\":(-?[0-9.]+(?:E-?\\d+)?|true|false)");
    private static final String[] PEERS = {"distributor", "node"};

    /** scenario -> metric -> peer -> values over the repetitions. */
    private final Map<String, Map<String, Map<String, List<Double>>>> values = new TreeMap<>();

    public static void main(String[] args) throws IOException {
        Report report = new Report();
        try (Stream<Path> files = Files.list(Path.of(args[0]))) {
            for (Path file : files.sorted().toList()) {
                Matcher name = FILE.matcher(file.getFileName().toString());
                if (name.matches()) {
                    report.add(name.group(2), name.group(1), Files.readString(file));
                }
            }
        }
        System.out.print(report.markdown());
    }

    void add(String scenario, String peer, String json) {
        Matcher number = NUMBER.matcher(json);
        while (number.find()) {
            String text = number.group(2);
            double value = text.equals("true") ? 1 : text.equals("false") ? 0 : Double.parseDouble(text);
            values.computeIfAbsent(scenario, s -> new TreeMap<>())
                    .computeIfAbsent(number.group(1), m -> new TreeMap<>())
                    .computeIfAbsent(peer, p -> new ArrayList<>()).add(value);
        }
    }

    Double median(String scenario, String metric, String peer) {
        List<Double> all = values.getOrDefault(scenario, Map.of()).getOrDefault(metric, Map.of()).get(peer);
        if (all == null || all.isEmpty()) {
            return null;
        }
        List<Double> sorted = all.stream().sorted().toList();
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("## Medians\n\n| scenario | metric | distributor | node | distributor / node | runs |\n")
                .append("| --- | --- | --- | --- | --- | --- |\n");
        values.forEach((scenario, metrics) -> metrics.forEach((metric, byPeer) -> {
            Double ours = median(scenario, metric, PEERS[0]);
            Double theirs = median(scenario, metric, PEERS[1]);
            String ratio = ours != null && theirs != null && theirs != 0 ? format(ours / theirs) : "";
            out.append("| ").append(scenario).append(" | ").append(metric).append(" | ").append(format(ours))
                    .append(" | ").append(format(theirs)).append(" | ").append(ratio).append(" | ")
                    .append(byPeer.values().stream().mapToInt(List::size).max().orElse(0)).append(" |\n");
        }));
        out.append("\n## Targets (issue 6)\n\n| target | measured | holds |\n| --- | --- | --- |\n");
        Double p50 = median("echo", "p50", PEERS[0]);
        Double nodeP50 = median("echo", "p50", PEERS[1]);
        target(out, "echo p50 <= Node p50 + 0.25 ms", p50 == null || nodeP50 == null ? null
                : format(p50) + " ms vs " + format(nodeP50) + " + 0.25 ms", p50 != null && nodeP50 != null
                && p50 <= nodeP50 + 0.25);
        Double cpu = median("echo", "cpu.all", PEERS[0]);
        Double nodeCpu = median("echo", "cpu.all", PEERS[1]);
        target(out, "CPU per echo (all server processes + Redis) <= Node's", cpu == null || nodeCpu == null ? null
                : format(cpu) + " µs vs " + format(nodeCpu) + " µs (ratio " + format(cpu / nodeCpu) + ")",
                cpu != null && nodeCpu != null && cpu <= nodeCpu);
        Double worker = median("broadcast", "cpu.worker", PEERS[0]);
        Double node1 = median("broadcast", "cpu.node1", PEERS[1]);
        Double node2 = median("broadcast", "cpu.node2", PEERS[1]);
        Double nodeServers = node1 == null || node2 == null ? null : node1 + node2;
        target(out, "broadcast: worker CPU per delivery <= 0.5 x Node servers'", worker == null || nodeServers == null
                ? null : format(worker) + " µs vs " + format(nodeServers) + " µs (ratio " + format(worker / nodeServers)
                + ")", worker != null && nodeServers != null && worker <= 0.5 * nodeServers);
        Double heap = median("connections", "heapPerConnection.10000", PEERS[0]);
        target(out, "idle heap per connection at 10,000 <= 8 KiB", heap == null ? null : format(heap) + " KiB",
                heap != null && heap <= 8);
        Double rss = median("connections", "rssPerConnection.10000", PEERS[0]);
        target(out, "idle RSS per connection at 10,000 <= 14 KiB", rss == null ? null : format(rss) + " KiB",
                rss != null && rss <= 14);
        Double deliveries = median("deliveries", "emitDeliveriesPerPoke", PEERS[0]);
        target(out, "one backend emit to one socket = 1 Redis delivery", deliveries == null ? null
                : format(deliveries), deliveries != null && deliveries == 1.0);
        Double open = median("connections", "openAfterHold", PEERS[0]);
        Double connections = median("connections", "connections", PEERS[0]);
        Double pings = median("connections", "fewestPingsInHold", PEERS[0]);
        target(out, "20,000 WebSocket clients on one worker, heartbeats kept", open == null || connections == null
                ? null : format(open) + " of " + format(connections) + " open after the hold, fewest pings "
                + format(pings), ceilingVerdict(open, connections, pings));
        return out.toString();
    }

    /**
     * A run whose last step was smaller (run.sh's --quick, or an open-file limit that lets no process open 20,000)
     * cannot tell whether 20,000 hold: all it shows is whether the smaller step held.
     */
    private static String ceilingVerdict(Double open, Double connections, Double pings) {
        if (open == null || connections == null) {
            return "?";
        }
        if (open < connections || pings == null || pings < 2) {
            return verdict(false);
        }
        return connections >= 20_000 ? verdict(true)
                : "not measured: the last step was " + format(connections) + " clients, and they held";
    }

    private static void target(StringBuilder out, String target, String measured, boolean holds) {
        target(out, target, measured, measured == null ? "?" : verdict(holds));
    }

    private static void target(StringBuilder out, String target, String measured, String verdict) {
        out.append("| ").append(target).append(" | ").append(measured == null ? "not measured" : measured)
                .append(" | ").append(verdict).append(" |\n");
    }

    private static String verdict(boolean holds) {
        return holds ? "yes" : "**no**";
    }

    private static String format(Double value) {
        if (value == null) {
            return "";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e12) {
            return Long.toString(value.longValue());
        }
        return String.format(Locale.ROOT, Math.abs(value) >= 100 ? "%.0f" : Math.abs(value) >= 10 ? "%.1f" : "%.3g",
                value);
    }
}
