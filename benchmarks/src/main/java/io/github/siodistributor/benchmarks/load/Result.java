package io.github.siodistributor.benchmarks.load;

import java.util.LinkedHashMap;
import java.util.Map;

/** One scenario's numbers, printed as one {@code RESULT {json}} line for run.sh to collect. */
final class Result {

    private final Map<String, Object> values = new LinkedHashMap<>();

    Result put(String name, Object value) {
        values.put(name, value);
        return this;
    }

    /** CPU per operation of each process and of all of them, in µs, under {@code cpu.<process>}. */
    Result cpuPer(Map<String, Long> before, Map<String, Long> after, long operations) {
        long total = 0;
        for (Map.Entry<String, Long> entry : after.entrySet()) {
            long micros = entry.getValue() - before.get(entry.getKey());
            total += micros;
            put("cpu." + entry.getKey(), round((double) micros / Math.max(1, operations)));
        }
        return put("cpu.all", round((double) total / Math.max(1, operations)));
    }

    static double round(double value) {
        return Math.round(value * 1000.0) / 1000.0;
    }

    String json() {
        StringBuilder json = new StringBuilder("{");
        values.forEach((name, value) -> {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append('"').append(name).append("\":");
            if (value instanceof Number number && !(value instanceof Double d && (d.isNaN() || d.isInfinite()))) {
                json.append(number);
            } else if (value instanceof Boolean) {
                json.append(value);
            } else {
                json.append('"').append(String.valueOf(value).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        });
        return json.append('}').toString();
    }
}
