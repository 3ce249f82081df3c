package io.github.siodistributor.autoconfigure;

import java.time.Duration;
import java.util.function.Supplier;
import org.springframework.util.unit.DataSize;

/**
 * Checks of {@code distributor.*} values made where the beans are built, so that a bad value stops the start with a
 * message that names the property to change (the core classes check the same rules but know no property names).
 */
final class PropertyChecks {

    private PropertyChecks() {
    }

    static Duration positive(Duration value, String property) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(property + " must be positive, got " + value);
        }
        return value;
    }

    static Duration notNegative(Duration value, String property) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException(property + " must be zero or positive, got " + value);
        }
        return value;
    }

    static int atLeastOne(int value, String property) {
        if (value < 1) {
            throw new IllegalArgumentException(property + " must be at least 1, got " + value);
        }
        return value;
    }

    static Duration atLeast(Duration minimum, Duration value, String property) {
        if (value == null || value.compareTo(minimum) < 0) {
            throw new IllegalArgumentException(property + " must be at least " + minimum.toMillis() + "ms, got "
                    + value);
        }
        return value;
    }

    static int port(int value, String property) {
        if (value < 0 || value > 65535) {
            throw new IllegalArgumentException(property + " must be in 0..65535, got " + value);
        }
        return value;
    }

    /** A size that fits the {@code int} a Netty buffer is measured in: 1 byte up to, not including, 2 GB. */
    static int bytes(DataSize value, String property) {
        long bytes = value == null ? 0 : value.toBytes();
        if (bytes < 1 || bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(property + " must be at least 1B and under 2GB, got " + value);
        }
        return (int) bytes;
    }

    /** A size held in memory as a whole, not one buffer: 1 byte and up. */
    static long atLeastOneByte(DataSize value, String property) {
        long bytes = value == null ? 0 : value.toBytes();
        if (bytes < 1) {
            throw new IllegalArgumentException(property + " must be at least 1B, got " + value);
        }
        return bytes;
    }

    /** Builds what a value makes and, when the value is refused, says which property held it. */
    static <T> T named(String property, Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(property + ": " + e.getMessage(), e);
        }
    }
}
