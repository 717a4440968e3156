package modej.engine.plan;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A task-graph config: which device each graph runs on, in TornadoVM's naming style, one
 * {@code key=value} per line:
 *
 * <pre>
 * b0.backbone.device=jvm:0
 * b*.expert.code.device=jvm:1      # '*' matches any characters; with --backend tornado:0,jvm: tornado:0
 * b*.expert.code.backward.device=jvm:1
 * head.workers=1                   # under SPMD, split this graph's tasks over at most 1 worker
 * </pre>
 *
 * A key that names no graph of the model, a property other than {@code device} or
 * {@code workers}, or a device that does not exist is rejected with a message that lists the valid
 * names.
 */
public final class GraphConfig {

    private final Map<String, String> entries;
    private final String source;

    private GraphConfig(Map<String, String> entries, String source) {
        this.entries = entries;
        this.source = source;
    }

    public static GraphConfig read(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no such graph config: " + file);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("graph config " + file + ": " + e.getMessage());
        }
        Map<String, String> m = new LinkedHashMap<>();
        p.stringPropertyNames().stream().sorted().forEach(k -> m.put(k.trim(), p.getProperty(k).trim()));
        return new GraphConfig(m, file.toString());
    }

    public static GraphConfig of(Map<String, String> entries) {
        return new GraphConfig(new LinkedHashMap<>(entries), "graph config");
    }

    /**
     * The device of every graph the config places, checked against the model's graph names and
     * the backend's devices, named {@code <backend>:<index>} (e.g. {@code jvm:1}).
     */
    public ExecutionPlan.Placement placement(Collection<String> graphs, String backend, int devices) {
        List<String> names = new ArrayList<>();
        for (int d = 0; d < devices; d++) {
            names.add(backend + ":" + d);
        }
        return placement(graphs, names);
    }

    /**
     * The device of every graph the config places, checked against the model's graph names and
     * the backend's device names ({@code Backend.deviceNames()}: {@code jvm:0}, {@code jvm:1}; or
     * {@code tornado:0}, {@code jvm} for a backend composed of a TornadoVM device and the JVM).
     */
    public ExecutionPlan.Placement placement(Collection<String> graphs, List<String> devices) {
        Map<String, Integer> placed = new LinkedHashMap<>(), workers = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : entries.entrySet()) {
            String key = e.getKey();
            String property = key.endsWith(".device") ? "device" : key.endsWith(".workers") ? "workers" : null;
            if (property == null) {
                throw new IllegalArgumentException(source + ": '" + key + "' sets an unknown property; valid: <graph>.device, <graph>.workers");
            }
            String pattern = key.substring(0, key.length() - property.length() - 1);
            Pattern glob = Pattern.compile(Pattern.quote(pattern).replace("*", "\\E.*\\Q"));
            List<String> matched = new ArrayList<>();
            for (String g : graphs) {
                if (glob.matcher(g).matches()) {
                    matched.add(g);
                }
            }
            if (matched.isEmpty()) {
                throw new IllegalArgumentException(source + ": '" + pattern + "' names no graph; valid graphs: "
                        + String.join(", ", new TreeSet<>(graphs)));
            }
            if (property.equals("device")) {
                int device = device(e.getValue(), devices);
                matched.forEach(g -> placed.put(g, device));
            } else {
                int n = workers(key, e.getValue(), devices.size());
                matched.forEach(g -> workers.put(g, n));
            }
        }
        return ExecutionPlan.Placement.of(placed, workers);
    }

    private int workers(String key, String value, int devices) {
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= devices) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(source + ": " + key + " must be a number of workers from 1 to " + devices + ", got '" + value + "'");
    }

    private int device(String value, List<String> valid) {
        int at = valid.indexOf(value);
        if (at < 0) {
            throw new IllegalArgumentException(source + ": unknown device '" + value + "'; valid devices: " + String.join(", ", valid));
        }
        return at;
    }
}
