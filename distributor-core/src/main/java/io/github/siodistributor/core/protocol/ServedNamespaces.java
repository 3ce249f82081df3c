package io.github.siodistributor.core.protocol;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The namespaces a worker serves or a backend handles, each given by a <em>spec</em>: a name such as
 * {@code "/chat"}, or a regular expression starting with {@code ^} such as {@code "^/game-\\d+$"} for
 * dynamic namespaces (Socket.IO's {@code io.of(/regex/)}), matched against the whole name. The spec,
 * not the name, names the Redis channels, so one subscription serves every namespace a pattern matches.
 */
public final class ServedNamespaces {

    private final Map<String, Pattern> patterns = new LinkedHashMap<>();
    private final List<String> specs;

    public ServedNamespaces(Collection<String> specs) {
        this.specs = List.copyOf(specs);
        for (String spec : this.specs) {
            requireValid(spec);
            if (isPattern(spec)) {
                patterns.put(spec, Pattern.compile(spec));
            }
        }
    }

    /** True for a dynamic-namespace pattern, false for a plain name. */
    public static boolean isPattern(String spec) {
        return spec.startsWith("^");
    }

    /** Checks that {@code spec} is a name starting with {@code /} or a valid pattern starting with {@code ^}. */
    public static String requireValid(String spec) {
        Objects.requireNonNull(spec, "namespace");
        if (isPattern(spec)) {
            try {
                Pattern.compile(spec);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("namespace pattern '" + spec + "' is not a valid regular expression: "
                        + e.getDescription(), e);
            }
        } else if (!spec.startsWith("/")) {
            throw new IllegalArgumentException("namespace '" + spec + "' must start with '/' (a name) or '^' (a "
                    + "pattern for dynamic namespaces)");
        }
        return spec;
    }

    public List<String> specs() {
        return specs;
    }

    /** The spec that serves {@code namespace}: the name itself, else the first matching pattern; null for none. */
    public String specFor(String namespace) {
        if (specs.contains(namespace)) {
            return namespace;
        }
        for (Map.Entry<String, Pattern> pattern : patterns.entrySet()) {
            if (pattern.getValue().matcher(namespace).matches()) {
                return pattern.getKey();
            }
        }
        return null;
    }

    /** Whether {@code spec}, one of these, stands for {@code namespace}. */
    public boolean covers(String spec, String namespace) {
        Pattern pattern = patterns.get(spec);
        return pattern != null ? pattern.matcher(namespace).matches() : spec.equals(namespace);
    }

    /** The patterns among the specs. */
    public List<String> patterns() {
        return new ArrayList<>(patterns.keySet());
    }

    @Override
    public String toString() {
        return specs.toString();
    }
}
