package modej.tasks.data;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Named domains ({@code code}, {@code math}, {@code english}, …), each with a training token stream
 * and an evaluation token stream: a corpus split by content hash ({@link HeldOutSplit}), and
 * optionally a test source evaluated whole instead of the held-out part. Built from
 * {@code NAME=SPEC} arguments or from an experiment's domains.
 */
public final class DomainData {

    /**
     * One domain to load.
     *
     * @param name   the domain's name
     * @param source the corpus trained on (its held-out part is evaluated unless {@code test} is
     *               given), or null for a test-only domain
     * @param test   a corpus evaluated whole (never trained on, never split), or null
     */
    public record Source(String name, String source, String test) {
        public Source {
            if (source == null && test == null) {
                throw new IllegalArgumentException("domain " + name + ": needs a source, a test source, or both");
            }
        }
    }

    /**
     * A loaded domain.
     *
     * @param tokens        training and evaluation token streams, with facts
     * @param parts         the chunks behind the two streams: trained on and evaluated
     * @param source        the corpus spec trained on, or null for a test-only domain
     * @param test          the test source's spec, or null when the held-out part is evaluated
     * @param testDocuments documents read from the test source (0 without one)
     */
    private record Loaded(Corpus.Tokens tokens, HeldOutSplit.Parts parts, String source, String test, int testDocuments) {
    }

    private final Map<String, Loaded> domains;

    private DomainData(Map<String, Loaded> domains) {
        this.domains = domains;
    }

    /** Parses and loads {@code NAME=SPEC} entries (SPEC as for {@link Corpus#documents}). */
    public static DomainData load(List<String> entries, double validation) {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("no domains given: pass --data NAME=SPEC at least once (e.g. --data english=wordnet)");
        }
        if (!(validation > 0 && validation < 1)) {
            throw new IllegalArgumentException("validation fraction must be in (0, 1), got " + validation);
        }
        List<Source> sources = new ArrayList<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new IllegalArgumentException("--data " + entry + ": expected NAME=SPEC, e.g. code='src/**/*.java'");
            }
            String name = entry.substring(0, eq);
            if (sources.stream().anyMatch(s -> s.name().equals(name))) {
                throw new IllegalArgumentException("--data: domain '" + name + "' given twice");
            }
            sources.add(new Source(name, entry.substring(eq + 1), null));
        }
        return load(sources, HeldOutSplit.of(validation), Corpus::read, "");
    }

    /**
     * Loads {@code sources}: each source split by {@code split}, each test source read whole.
     *
     * @param reader    reads a corpus spec (an experiment reads each spec once)
     * @param keyPrefix put before a domain's name in errors, e.g. {@code domains.}: a corpus problem
     *                  fails as {@code domains.code: no files match 'src/**}{@code /*.java'}, a test
     *                  source's as {@code domains.math.test: ...}
     */
    public static DomainData load(List<Source> sources, HeldOutSplit split, Function<String, CorpusText> reader,
                                  String keyPrefix) {
        Map<String, Loaded> map = new LinkedHashMap<>();
        for (Source s : sources) {
            CorpusText text = s.source() == null ? CorpusText.of(List.of()) : read(reader, s.source(), keyPrefix + s.name());
            HeldOutSplit.Parts parts = s.source() == null ? new HeldOutSplit.Parts(List.of(), List.of())
                    : split.apply(text.documents());
            int testDocuments = 0;
            if (s.test() != null) {
                CorpusText test = read(reader, s.test(), keyPrefix + s.name() + ".test");
                testDocuments = test.documents().size();
                parts = new HeldOutSplit.Parts(parts.train(), split.chunks(test.documents()));
            }
            Corpus.Tokens tokens = Corpus.tokens(text, parts, s.test() == null ? split.text() : null);
            map.put(s.name(), new Loaded(tokens, parts, s.source(), s.test(), testDocuments));
        }
        return new DomainData(map);
    }

    private static CorpusText read(Function<String, CorpusText> reader, String spec, String key) {
        try {
            return reader.apply(spec).requireDocuments(spec);
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
            throw new IllegalArgumentException(key.isEmpty() ? e.getMessage() : key + ": " + e.getMessage(), e);
        }
    }

    /** Domains built in memory (tests, synthetic data). */
    public static DomainData of(Map<String, Corpus.Tokens> domains) {
        Map<String, Loaded> map = new LinkedHashMap<>();
        domains.forEach((name, tokens) -> map.put(name, new Loaded(tokens, new HeldOutSplit.Parts(List.of(), List.of()),
                "(in memory)", null, 0)));
        return new DomainData(map);
    }

    /**
     * Checkpoint metadata saying what each domain was: {@code modej.data.<name>} (the spec) and
     * {@code modej.data.<name>.fingerprint}, {@code .split}, {@code .skipped}, {@code .sources} as
     * {@link Corpus.Tokens#metadata}, and {@code modej.data.<name>.test} (the test source) when there is one.
     */
    public Map<String, String> metadata() {
        Map<String, String> meta = new LinkedHashMap<>();
        domains.forEach((name, d) -> {
            d.tokens().metadata(d.source() == null ? "(test only)" : d.source())
                    .forEach((key, value) -> meta.put("modej.data." + name + key.substring("modej.corpus".length()), value));
            if (d.test() != null) {
                meta.put("modej.data." + name + ".test", d.test());
            }
        });
        return meta;
    }

    /** One line per domain for logs, as {@link Corpus.Tokens#describe}, prefixed by the domain's name. */
    public List<String> describe() {
        return names().stream().map(name -> {
            Loaded d = domains.get(name);
            String line = name + ": " + d.tokens().describe(d.source() == null ? "(test only)" : d.source());
            return d.test() == null ? line : line + "; evaluated on test source " + d.test() + " (" + d.testDocuments()
                    + " documents)";
        }).toList();
    }

    public List<String> names() {
        return List.copyOf(domains.keySet());
    }

    public Corpus.Tokens get(String name) {
        return loaded(name).tokens();
    }

    /** The chunks the domain's training stream was made of (empty for a test-only domain or in-memory data). */
    public List<Document> trainChunks(String name) {
        return loaded(name).parts().train();
    }

    /** The chunks the domain's evaluation stream was made of: its held-out part, or its test source. */
    public List<Document> evaluationChunks(String name) {
        return loaded(name).parts().heldOut();
    }

    /** The test source evaluated instead of the held-out part, or null. */
    public String test(String name) {
        return loaded(name).test();
    }

    /** Documents read from the domain's test source (0 without one). */
    public int testDocuments(String name) {
        return loaded(name).testDocuments();
    }

    private Loaded loaded(String name) {
        Loaded d = domains.get(name);
        if (d == null) {
            throw new IllegalArgumentException("no domain '" + name + "'; have " + domains.keySet());
        }
        return d;
    }
}
