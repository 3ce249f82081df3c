package io.github.siodistributor.benchmarks.load;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code <scenario> --name value ...}, with defaults per option. */
record Options(String scenario, Map<String, String> values) {

    static Options parse(String[] args) {
        if (args.length == 0 || args[0].startsWith("--")) {
            throw new IllegalArgumentException("usage: LoadGenerator <echo|broadcast|connections|deliveries> "
                    + "--targets host:port[,host:port] [--name value ...]");
        }
        Map<String, String> values = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value, found " + Arrays.toString(args));
            }
            values.put(args[i].substring(2), args[++i]);
        }
        return new Options(args[0], values);
    }

    String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    int integer(String name, int fallback) {
        return values.containsKey(name) ? Integer.parseInt(values.get(name)) : fallback;
    }

    List<String> list(String name, String fallback) {
        return List.of(string(name, fallback).split(","));
    }
}
