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

    private DomainData(Map<String, Corpus.Tokens> domains) {
        this.domains = domains;
    }

    /** Parses and loads {@code NAME=SPEC} entries (SPEC as for {@link Corpus#documents}). */
    public static DomainData load(List<String> entries, double validation) {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("no domains given: pass --data NAME=SPEC at least once (e.g. --data english=wordnet)");
        }
        Map<String, Corpus.Tokens> map = new LinkedHashMap<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new IllegalArgumentException("--data " + entry + ": expected NAME=SPEC, e.g. code='src/**/*.java'");
            }
            String name = entry.substring(0, eq);
            if (map.containsKey(name)) {
                throw new IllegalArgumentException("--data: domain '" + name + "' given twice");
            }
            map.put(name, Corpus.load(entry.substring(eq + 1), validation, ByteTokenizer.INSTANCE));
        }
        return new DomainData(map);
    }

    /** Domains built in memory (tests, synthetic data). */
    public static DomainData of(Map<String, Corpus.Tokens> domains) {
        return new DomainData(new LinkedHashMap<>(domains));
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
