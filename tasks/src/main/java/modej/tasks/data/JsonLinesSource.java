package modej.tasks.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads a JSON Lines file, one {@link Document} per line, its text made from chosen fields by a
 * template: {@code jsonl:PATH?template=TEMPLATE}.
 *
 * <p>In the template, {@code {name}} is the value of the line's top-level field {@code name} (a
 * string as is; a number or boolean as JSON writes it); {@code {{} and {@code {}}} are literal
 * braces; {@code \n} is a newline (see {@link SourceSpec}). The default template is {@code {text}}.
 * Example: {@code jsonl:gsm8k/train.jsonl?template={question}\n{answer}}.
 *
 * <p>Blank lines and lines whose text comes out empty are skipped and counted. A line that is not
 * a JSON object, or lacks a field the template names (or has it null, an object or an array),
 * fails with the file and line number. Documents are named {@code PATH:LINE}.
 */
public final class JsonLinesSource {

    /** Used when the spec gives no template. */
    public static final String DEFAULT_TEMPLATE = "{text}";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonLinesSource() {
    }

    /**
     * Reads {@code jsonl:PATH?template=...}.
     *
     * @throws IllegalArgumentException "no such file: PATH", "PATH line N: not valid JSON: ...",
     *                                  "PATH line N: no field 'name'", a bad template, or an empty corpus
     */
    public static CorpusText read(SourceSpec spec) {
        spec.allowOnly(Set.of("template"));
        List<Object> template = parseTemplate(spec.get("template", DEFAULT_TEMPLATE), spec.text());
        Path file = Path.of(spec.path());
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no such file: " + spec.path());
        }
        String[] lines = TextSource.decode(file).split("\r?\n", -1);
        List<Document> docs = new ArrayList<>();
        Map<String, Integer> skipped = new LinkedHashMap<>();
        int count = lines.length > 0 && lines[lines.length - 1].isEmpty() ? lines.length - 1 : lines.length;
        for (int i = 0; i < count; i++) {
            String where = file + " line " + (i + 1);
            if (lines[i].isBlank()) {
                skipped.merge("blank lines", 1, Integer::sum);
                continue;
            }
            String text = render(template, parseObject(lines[i], where), where);
            if (text.isEmpty()) {
                skipped.merge("empty texts", 1, Integer::sum);
                continue;
            }
            docs.add(new Document(file + ":" + (i + 1), text));
        }
        return new CorpusText(docs, skipped, List.of()).requireDocuments(spec.text());
    }

    private static JsonNode parseObject(String line, String where) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            String column = e.getLocation() == null ? "" : " (column " + e.getLocation().getColumnNr() + ")";
            throw new IllegalArgumentException(where + ": not valid JSON" + column + ": " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(where + ": expected a JSON object, got "
                    + (node == null ? "nothing" : node.getNodeType().toString().toLowerCase()));
        }
        return node;
    }

    /** The template's literal parts (String) and field names (a one-element String[]), in order. */
    static List<Object> parseTemplate(String template, String spec) {
        List<Object> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (template.startsWith("{{", i) || template.startsWith("}}", i)) {
                literal.append(c);
                i++;
            } else if (c == '{') {
                int close = template.indexOf('}', i);
                String name = close < 0 ? "" : template.substring(i + 1, close);
                if (name.isEmpty() || name.contains("{")) {
                    throw new IllegalArgumentException("corpus spec " + spec + ": template needs {field} names, "
                            + "got '" + template + "' (write {{ and }} for literal braces)");
                }
                parts.add(literal.toString());
                literal.setLength(0);
                parts.add(new String[]{name});
                i = close;
            } else if (c == '}') {
                throw new IllegalArgumentException("corpus spec " + spec + ": unmatched '}' in template '"
                        + template + "' (write }} for a literal brace)");
            } else {
                literal.append(c);
            }
        }
        parts.add(literal.toString());
        return parts;
    }

    private static String render(List<Object> template, JsonNode object, String where) {
        StringBuilder text = new StringBuilder();
        for (Object part : template) {
            if (part instanceof String literal) {
                text.append(literal);
                continue;
            }
            String name = ((String[]) part)[0];
            JsonNode value = object.get(name);
            if (value == null || value.isNull()) {
                throw new IllegalArgumentException(where + ": no field '" + name + "'");
            }
            if (value.isContainerNode()) {
                throw new IllegalArgumentException(where + ": field '" + name + "' is an "
                        + (value.isArray() ? "array" : "object") + ", not text");
            }
            text.append(value.isTextual() ? value.textValue() : value.toString());
        }
        return text.toString();
    }
}
