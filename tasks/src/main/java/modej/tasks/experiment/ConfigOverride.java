package modej.tasks.experiment;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * {@code --set key.path=value}: replaces one value of the parsed file before it is bound to the
 * records. The path is dotted, list entries by index ({@code methods.0.rank}); the value is read as
 * YAML ({@code 8}, {@code 1e-3}, {@code true}, {@code [0, 1, 2]}, {@code {source: code}}, {@code null}).
 * A section the file leaves out is created on the way, and the last key may be new: binding to the
 * records then rejects a key they do not know, naming it. A list index must exist.
 *
 * @param text  the argument as given, for messages
 * @param path  the dotted path, cut into its keys
 * @param value the new value
 */
public record ConfigOverride(String text, List<String> path, JsonNode value) {

    private static final YAMLMapper YAML = new YAMLMapper();

    /** Parses {@code key.path=value}; a one-line error starting with {@code --set <text>:}. */
    public static ConfigOverride parse(String text) {
        int eq = text.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("--set " + text + ": expected KEY.PATH=VALUE, e.g. budget.steps=100");
        }
        String key = text.substring(0, eq).trim();
        List<String> path = List.of(key.split("\\.", -1));
        if (path.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("--set " + text + ": empty key in '" + key + "'");
        }
        return new ConfigOverride(text, path, value(text.substring(eq + 1)));
    }

    private static JsonNode value(String raw) {
        if (raw.isBlank()) {
            return TextNode.valueOf(raw);
        }
        try {
            JsonNode node = YAML.readTree(raw);
            return node == null || node.isMissingNode() ? TextNode.valueOf(raw) : node;
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(raw); // not YAML on its own (e.g. 'math?count=9&seed=1'): plain text
        }
    }

    /** The dotted path, e.g. {@code methods.0.rank}. */
    public String key() {
        return String.join(".", path);
    }

    /** Sets the value in {@code root}; fails naming the first key on the path that does not exist. */
    public void applyTo(JsonNode root) {
        JsonNode node = root;
        List<String> walked = new ArrayList<>();
        for (int i = 0; i < path.size(); i++) {
            String k = path.get(i);
            boolean last = i == path.size() - 1;
            String where = walked.isEmpty() ? "the file's top level" : String.join(".", walked);
            if (node instanceof ObjectNode obj) {
                if (last) {
                    obj.set(k, value);
                    return;
                }
                if (!obj.has(k) || obj.get(k).isNull()) {
                    if (path.get(i + 1).matches("\\d+")) {
                        throw new IllegalArgumentException("--set " + text + ": no list '" + k + "' in " + where
                                + " to take entry " + path.get(i + 1) + " of");
                    }
                    obj.putObject(k); // a section the file leaves out; the records say whether it is one they know
                }
                node = obj.get(k);
            } else if (node instanceof ArrayNode arr) {
                int index = index(k, arr, where);
                if (last) {
                    arr.set(index, value);
                    return;
                }
                node = arr.get(index);
            } else {
                throw new IllegalArgumentException("--set " + text + ": " + where + " is a single value, not a section or list;"
                        + " cannot set '" + k + "' in it");
            }
            walked.add(k);
        }
    }

    private int index(String k, ArrayNode arr, String where) {
        int index;
        try {
            index = Integer.parseInt(k);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--set " + text + ": " + where + " is a list; expected an index, got '" + k + "'");
        }
        if (index < 0 || index >= arr.size()) {
            throw new IllegalArgumentException("--set " + text + ": " + where + " has " + arr.size()
                    + " entries (0 to " + (arr.size() - 1) + "), no entry " + index);
        }
        return index;
    }
}
