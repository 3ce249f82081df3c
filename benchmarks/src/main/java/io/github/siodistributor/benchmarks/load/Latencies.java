package io.github.siodistributor.benchmarks.load;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Round-trip times in a fixed array of counters: to the microsecond up to 100 ms, to the millisecond beyond
 * (up to 100 s). Recording allocates nothing and is safe from any thread.
 */
public final class Latencies {

    private static final int FINE_MICROS = 100_000;
    private static final int COARSE_MILLIS = 100_000;

    private final AtomicLongArray counts = new AtomicLongArray(FINE_MICROS + COARSE_MILLIS);

    public void record(long nanos) {
        long micros = Math.max(0, nanos / 1_000);
        int bucket = micros < FINE_MICROS ? (int) micros
                : FINE_MICROS + (int) Math.min(COARSE_MILLIS - 1, micros / 1_000 - FINE_MICROS / 1_000);
        counts.incrementAndGet(bucket);
    }

    public long count() {
        long total = 0;
        for (int i = 0; i < counts.length(); i++) {
            total += counts.get(i);
        }
        return total;
    }

    /** The smallest time (ms) that at least {@code fraction} of the recorded times do not exceed. */
    public double percentileMillis(double fraction) {
        long total = count();
        if (total == 0) {
            return Double.NaN;
        }
        long rank = Math.max(1, (long) Math.ceil(fraction * total));
        long seen = 0;
        for (int i = 0; i < counts.length(); i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return millis(i);
            }
        }
        return millis(counts.length() - 1);
    }

    public double maxMillis() {
        for (int i = counts.length() - 1; i >= 0; i--) {
            if (counts.get(i) > 0) {
                return millis(i);
            }
        }
        return Double.NaN;
    }

    private static double millis(int bucket) {
        return bucket < FINE_MICROS ? bucket / 1000.0 : FINE_MICROS / 1000.0 + (bucket - FINE_MICROS);
    }
}
