package modej.tasks.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A corpus spec cut into its parts: {@code KIND:PATH?KEY=VALUE&KEY=VALUE} (e.g.
 * {@code jsonl:data/train.jsonl?template={question}\n{answer}}), or {@code NAME?KEY=VALUE} for a
 * built-in corpus (e.g. {@code math?count=20000&seed=0}).
 *
 * <p>The parameters start at the first {@code ?} and are separated by {@code &}. In a value,
 * {@code \n} is a newline, {@code \t} a tab, {@code \&} a literal {@code &} and {@code \\} a
 * backslash, so that a template can be typed on one shell line.
 *
 * @param kind       the part before the first ':' ({@code jsonl}, {@code zip}), or the whole name
 *                   before {@code ?} for a built-in corpus
 * @param path       the part between ':' and {@code ?}; empty for a built-in corpus
 * @param parameters the parameters in the order given, values unescaped
 * @param text       the spec as written, for messages
 */
public record SourceSpec(String kind, String path, Map<String, String> parameters, String text) {

    /** Makes the parameters unmodifiable (keeping their order). */
    public SourceSpec {
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /**
     * Parses {@code KIND:PATH?PARAMS} when {@code withPath}, else {@code NAME?PARAMS}.
     *
     * @throws IllegalArgumentException naming the spec, for an empty path, a parameter without
     *                                  '=', a parameter given twice or an unknown escape
     */
    public static SourceSpec parse(String spec, boolean withPath) {
        int question = spec.indexOf('?');
        String head = question < 0 ? spec : spec.substring(0, question);
        String kind = head;
        String path = "";
        if (withPath) {
            int colon = head.indexOf(':');
            kind = head.substring(0, Math.max(colon, 0));
            path = head.substring(colon + 1);
            if (colon <= 0 || path.isEmpty()) {
                throw new IllegalArgumentException("corpus spec " + spec + ": expected KIND:PATH?KEY=VALUE&...");
            }
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        if (question >= 0) {
            for (String pair : splitUnescaped(spec.substring(question + 1), spec)) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("corpus spec " + spec + ": parameter '" + pair
                            + "' is not KEY=VALUE");
                }
                String key = pair.substring(0, eq);
                if (parameters.put(key, unescape(pair.substring(eq + 1), spec)) != null) {
                    throw new IllegalArgumentException("corpus spec " + spec + ": parameter '" + key + "' given twice");
                }
            }
        }
        return new SourceSpec(kind, path, parameters, spec);
    }

    /** Fails naming the spec when a parameter is not one of {@code known}. */
    public SourceSpec allowOnly(Set<String> known) {
        for (String key : parameters.keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("corpus spec " + text + ": unknown parameter '" + key
                        + "'" + (known.isEmpty() ? ", it takes none" : "; known: " + new TreeSet<>(known)));
            }
        }
        return this;
    }

    /** The parameter's value, or {@code fallback} when it is not given. */
    public String get(String key, String fallback) {
        return parameters.getOrDefault(key, fallback);
    }

    /** The parameter as a non-negative integer, or {@code fallback} when it is not given. */
    public long getCount(String key, long fallback) {
        String value = parameters.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            long n = Long.parseLong(value);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("corpus spec " + text + ": " + key + " must be a whole number >= 0, got '"
                + value + "'");
    }

    /** The query cut at each {@code &} that is not escaped by a backslash; escapes are kept. */
    private static List<String> splitUnescaped(String query, String spec) {
        List<String> pairs = new ArrayList<>();
        StringBuilder pair = new StringBuilder();
        for (int i = 0; i < query.length(); i++) {
            char c = query.charAt(i);
            if (c == '\\' && i + 1 < query.length()) {
                pair.append(c).append(query.charAt(++i));
            } else if (c == '&') {
                pairs.add(pair.toString());
                pair.setLength(0);
            } else {
                pair.append(c);
            }
        }
        pairs.add(pair.toString());
        return pairs;
    }

    /** Replaces {@code \n}, {@code \t}, {@code \&} and {@code \\}; any other escape is an error. */
    static String unescape(String value, String spec) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char next = i + 1 < value.length() ? value.charAt(++i) : ' ';
            switch (next) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case '&' -> out.append('&');
                case '\\' -> out.append('\\');
                default -> throw new IllegalArgumentException("corpus spec " + spec + ": unknown escape '\\"
                        + (next == ' ' ? "" : String.valueOf(next)) + "'; use \\n, \\t, \\& or \\\\");
            }
        }
        return out.toString();
    }
}
