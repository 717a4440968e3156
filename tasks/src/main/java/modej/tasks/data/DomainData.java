package modej.tasks.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import modej.model.tokenizer.ByteTokenizer;

/**
 * Named domains ({@code code}, {@code math}, {@code english}, …), each a corpus split by content
 * hash into train and validation token streams. Built from {@code NAME=SPEC} arguments.
 */
public final class DomainData {

    private final Map<String, Corpus.Tokens> domains;
    private final Map<String, String> specs;

    private DomainData(Map<String, Corpus.Tokens> domains, Map<String, String> specs) {
        this.domains = domains;
        this.specs = specs;
    }

    /** Parses and loads {@code NAME=SPEC} entries (SPEC as for {@link Corpus#documents}). */
    public static DomainData load(List<String> entries, double validation) {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("no domains given: pass --data NAME=SPEC at least once (e.g. --data english=wordnet)");
        }
        Map<String, Corpus.Tokens> map = new LinkedHashMap<>();
        Map<String, String> specs = new LinkedHashMap<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new IllegalArgumentException("--data " + entry + ": expected NAME=SPEC, e.g. code='src/**/*.java'");
            }
            String name = entry.substring(0, eq);
            if (map.containsKey(name)) {
                throw new IllegalArgumentException("--data: domain '" + name + "' given twice");
            }
            specs.put(name, entry.substring(eq + 1));
            map.put(name, Corpus.load(specs.get(name), validation, ByteTokenizer.INSTANCE));
        }
        return new DomainData(map, specs);
    }

    /** Domains built in memory (tests, synthetic data). */
    public static DomainData of(Map<String, Corpus.Tokens> domains) {
        Map<String, String> specs = new LinkedHashMap<>();
        domains.keySet().forEach(name -> specs.put(name, "(in memory)"));
        return new DomainData(new LinkedHashMap<>(domains), specs);
    }

    /**
     * Checkpoint metadata saying what each domain was: {@code modej.data.<name>} (the spec) and
     * {@code modej.data.<name>.fingerprint}, {@code .skipped}, {@code .sources} as {@link Corpus.Tokens#metadata}.
     */
    public Map<String, String> metadata() {
        Map<String, String> meta = new LinkedHashMap<>();
        domains.forEach((name, tokens) -> tokens.metadata(specs.get(name))
                .forEach((key, value) -> meta.put("modej.data." + name + key.substring("modej.corpus".length()), value)));
        return meta;
    }

    /** One line per domain for logs, as {@link Corpus.Tokens#describe}, prefixed by the domain's name. */
    public List<String> describe() {
        return names().stream().map(name -> name + ": " + domains.get(name).describe(specs.get(name))).toList();
    }

    public List<String> names() {
        return List.copyOf(domains.keySet());
    }

    public Corpus.Tokens get(String name) {
        Corpus.Tokens t = domains.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no domain '" + name + "'; have " + domains.keySet());
        }
        return t;
    }
}
