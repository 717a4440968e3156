package modej.tasks.data;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import modej.model.tokenizer.ByteTokenizer;
import modej.model.tokenizer.Tokenizer;

/**
 * Named domains ({@code code}, {@code math}, {@code english}, …), each a corpus split by content
 * hash into train and validation token streams. Built from {@code NAME=SPEC} arguments.
 */
public final class DomainData {

    private final Map<String, Corpus.Tokens> domains;
    private final Map<String, String> specs;
    private final Tokenizer tokenizer;

    private DomainData(Map<String, Corpus.Tokens> domains, Map<String, String> specs, Tokenizer tokenizer) {
        this.domains = domains;
        this.specs = specs;
        this.tokenizer = tokenizer;
    }

    /** Parses and loads {@code NAME=SPEC} entries (SPEC as for {@link Corpus#documents}) as byte tokens. */
    public static DomainData load(List<String> entries, double validation) {
        return load(entries, validation, ByteTokenizer.INSTANCE);
    }

    /** Parses and loads {@code NAME=SPEC} entries, tokenised by the model's {@code tokenizer}. */
    public static DomainData load(List<String> entries, double validation, Tokenizer tokenizer) {
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
            map.put(name, Corpus.load(specs.get(name), validation, tokenizer));
        }
        return new DomainData(map, specs, tokenizer);
    }

    /** Domains built in memory (tests, synthetic data). */
    public static DomainData of(Map<String, Corpus.Tokens> domains) {
        Map<String, String> specs = new LinkedHashMap<>();
        domains.keySet().forEach(name -> specs.put(name, "(in memory)"));
        return new DomainData(new LinkedHashMap<>(domains), specs, ByteTokenizer.INSTANCE);
    }

    /** The tokenizer the token streams were made with (to convert losses to bits per byte of text). */
    public Tokenizer tokenizer() {
        return tokenizer;
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
