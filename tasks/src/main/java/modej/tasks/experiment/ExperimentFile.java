package modej.tasks.experiment;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads an experiment file, YAML or (by the {@code .json} extension) JSON, into an
 * {@link ExperimentConfig}: parsed into a tree, {@code --set} overrides applied to the tree, then
 * bound to the records, strictly (unknown keys, wrong types and out-of-range values are errors).
 * Every error is one line naming the file or the {@code --set} argument and the key's dotted path,
 * e.g. {@code exp.yaml: methods.1.rank: expected a whole number, got 'eight'}.
 */
public final class ExperimentFile {

    private static final ObjectMapper BINDER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

    private ExperimentFile() {
    }

    /** Reads {@code file} with {@code overrides} ({@code key.path=value}) applied, in order. */
    public static ExperimentConfig read(Path file, List<String> overrides) {
        List<ConfigOverride> sets = overrides.stream().map(ConfigOverride::parse).toList();
        JsonNode tree = parse(file);
        sets.forEach(s -> s.applyTo(tree));
        return bind(tree, file.toString(), sets);
    }

    /** Parses text (YAML, or JSON if {@code json}) and binds it; for tests and generated configs. */
    public static ExperimentConfig read(String text, boolean json, String name, List<String> overrides) {
        List<ConfigOverride> sets = overrides.stream().map(ConfigOverride::parse).toList();
        JsonNode tree = parse(text, json, name);
        sets.forEach(s -> s.applyTo(tree));
        return bind(tree, name, sets);
    }

    /** Writes the resolved config as YAML (defaults filled in), as it would be read back. */
    public static String yaml(ExperimentConfig config) {
        try {
            YAMLMapper m = YAMLMapper.builder(YAMLFactory.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).build()).build();
            return m.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The resolved config as JSON (for results files). */
    public static JsonNode tree(ExperimentConfig config) {
        return BINDER.valueToTree(config);
    }

    /** Pretty JSON writer shared by the experiment's output files. */
    public static ObjectMapper json() {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    /**
     * Writes {@code value} as pretty JSON to {@code file} atomically: to a temporary file in the
     * same folder, then renamed over it, so a crash never leaves a half-written file.
     */
    public static void writeJson(Path file, Object value) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // not Files.createTempFile: it makes the file 0600, and the rename would keep that; a plain
        // new file gets the usual permissions (0644 under the common umask) like every other output
        Path tmp = dir.resolve("." + file.getFileName() + "." + Long.toHexString(System.nanoTime()) + ".tmp");
        try {
            try (var outStream = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                json().writeValue(outStream, value);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static JsonNode parse(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such experiment file");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage());
        }
        return parse(text, file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json"), file.toString());
    }

    private static JsonNode parse(String text, boolean json, String name) {
        try {
            JsonNode tree = (json ? new ObjectMapper() : new YAMLMapper()).readTree(text);
            if (tree == null || tree.isMissingNode() || tree.isNull()) {
                throw new IllegalArgumentException(name + ": empty; expected keys name, backbone, domains, methods, ...");
            }
            if (!tree.isObject()) {
                throw new IllegalArgumentException(name + ": expected a section of keys (name, backbone, domains, ...) at the top");
            }
            return tree;
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new IllegalArgumentException(name + ": not valid " + (json ? "JSON" : "YAML") + where + ": "
                    + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
    }

    private static ExperimentConfig bind(JsonNode tree, String name, List<ConfigOverride> sets) {
        try {
            return BINDER.treeToValue(tree, ExperimentConfig.class);
        } catch (JsonMappingException e) {
            String path = path(e);
            String message = message(e, path);
            String full = path.isEmpty() ? message : message.startsWith(path) ? message : path + ": " + message;
            throw new IllegalArgumentException(origin(path, name, sets) + ": " + full, e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(name + ": " + e.getOriginalMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }

    /** The dotted path of the key the exception is about: fields by name, list entries by index. */
    static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : Integer.toString(r.getIndex()))
                .collect(Collectors.joining("."));
    }

    /** Which argument the error came from: the {@code --set} whose path overlaps the key's, else the file. */
    private static String origin(String path, String name, List<ConfigOverride> sets) {
        for (int i = sets.size() - 1; i >= 0; i--) {
            String key = sets.get(i).key();
            if (path.equals(key) || key.startsWith(path + ".") || path.startsWith(key + ".")) {
                return "--set " + sets.get(i).text();
            }
        }
        return name;
    }

    private static String message(JsonMappingException e, String path) {
        if (e instanceof UnrecognizedPropertyException u) {
            return "unknown key '" + u.getPropertyName() + "'" + known(u.getKnownPropertyIds());
        }
        if (e instanceof ValueInstantiationException && e.getCause() instanceof IllegalArgumentException bad) {
            // The records' own checks say "<key>: <what is wrong>", or a whole path for cross-field checks.
            String m = bad.getMessage();
            boolean absolute = m.startsWith("methods.") || m.startsWith("domains.") || m.startsWith("budget.")
                    || m.startsWith("evaluation.");
            boolean keyed = m.matches("[A-Za-z0-9_]+: (?s).*");
            return path.isEmpty() || absolute ? m : path + (keyed ? "." : ": ") + m;
        }
        if (e instanceof InvalidFormatException f) {
            return "expected " + expected(f.getTargetType()) + ", got '" + f.getValue() + "'";
        }
        if (e instanceof MismatchedInputException m) {
            return "expected " + expected(m.getTargetType()) + got(e);
        }
        return e.getOriginalMessage().lines().findFirst().orElse("");
    }

    private static String known(Collection<Object> ids) {
        if (ids == null || ids.isEmpty()) {
            return "";
        }
        return "; known: " + ids.stream().map(Object::toString).sorted().collect(Collectors.joining(", "));
    }

    private static String got(JsonMappingException e) {
        if (e.getProcessor() instanceof com.fasterxml.jackson.core.JsonParser p) {
            JsonToken t = p.currentToken();
            if (t == JsonToken.START_OBJECT) {
                return ", got a section";
            }
            if (t == JsonToken.START_ARRAY) {
                return ", got a list";
            }
            try {
                if (t != null && t.isScalarValue()) {
                    return ", got '" + p.getText() + "'";
                }
            } catch (IOException ignored) {
                // fall through: say nothing about the value
            }
        }
        return "";
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "another kind of value";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (type == Float.class || type == float.class || type == Double.class || type == double.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "text";
        }
        if (List.class.isAssignableFrom(type)) {
            return "a list";
        }
        return "a section of keys";
    }
}
