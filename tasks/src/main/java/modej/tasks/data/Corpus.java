package modej.tasks.data;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import modej.model.tokenizer.Tokenizer;

/**
 * A corpus by spec, split and tokenised. A spec is one of:
 * <ul>
 *   <li>a built-in corpus ({@link BuiltInCorpora}): {@code code}, {@code english} (alias
 *       {@code wordnet}), {@code math} or {@code math?count=20000&seed=0};</li>
 *   <li>{@code jsonl:FILE?template={question}\n{answer}}: one document per JSON line, its text the
 *       template with {@code {field}} filled in ({@link JsonLinesSource});</li>
 *   <li>{@code zip:FILE?ext=.java}: one document per matching zip or jar entry ({@link ZipSource});</li>
 *   <li>otherwise a file, folder or glob of UTF-8 text ({@link TextSource}).</li>
 * </ul>
 * Built-in names win over files of the same name: write {@code ./math} for a folder called math.
 * Documents are cut into chunks before the split, so a single-file corpus still gets a validation part.
 */
public final class Corpus {

    /**
     * The token streams of the two parts, and facts to report and to check a resume against.
     *
     * @param train       training tokens
     * @param validation  validation tokens
     * @param documents   documents read (before chunking)
     * @param fingerprint first 16 hex digits of SHA-256 over both streams
     * @param skipped     items read but left out, by reason (see {@link CorpusText#skipped()})
     * @param sources     provenance of built-in corpora; empty for files on disk
     * @param split       the rule that cut train from validation ({@link HeldOutSplit#text()}),
     *                    or null when the parts were not cut from one corpus (a test source)
     */
    public record Tokens(int[] train, int[] validation, int documents, String fingerprint,
                         Map<String, Integer> skipped, List<CorpusText.Provenance> sources, String split) {

        /** Tokens with nothing skipped, no provenance and no split rule (synthetic data, tests). */
        public Tokens(int[] train, int[] validation, int documents, String fingerprint) {
            this(train, validation, documents, fingerprint, Map.of(), List.of(), null);
        }

        /**
         * Checkpoint metadata saying what a model was trained on: {@code modej.corpus} (the spec),
         * {@code modej.corpus.fingerprint}, {@code modej.corpus.split} (the {@link HeldOutSplit}
         * rule, so that later evaluations can hold out the same text), and when there are any {@code modej.corpus.skipped}
         * (counts by reason) and {@code modej.corpus.sources} (each built-in part's origin and
         * SHA-256, separated by {@code "; "}).
         */
        public Map<String, String> metadata(String spec) {
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("modej.corpus", spec);
            meta.put("modej.corpus.fingerprint", fingerprint);
            if (split != null) {
                meta.put(HeldOutSplit.KEY, split);
            }
            if (!skipped.isEmpty()) {
                meta.put("modej.corpus.skipped", CorpusText.skippedSummary(skipped));
            }
            if (!sources.isEmpty()) {
                meta.put("modej.corpus.sources", String.join("; ", sources.stream()
                        .map(p -> p.coordinates() + " sha256=" + p.sha256()).toList()));
            }
            return meta;
        }

        /** One line for logs: documents, tokens per split, skip counts and built-in origins. */
        public String describe(String spec) {
            StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "corpus %s: %,d documents, %,d training and %,d "
                    + "validation tokens (fingerprint %s)", spec, documents, train.length, validation.length, fingerprint));
            if (!skipped.isEmpty()) {
                s.append("; skipped ").append(CorpusText.skippedSummary(skipped));
            }
            sources.forEach(p -> s.append("; ").append(p.coordinates()).append(" sha256=").append(p.sha256(), 0, 16));
            return s.toString();
        }
    }

    private Corpus() {
    }

    /** The documents {@code spec} names; see the class comment for the forms a spec takes. */
    public static List<Document> documents(String spec) {
        return read(spec).documents();
    }

    /** The documents {@code spec} names, with skip counts and provenance. */
    public static CorpusText read(String spec) {
        if (BuiltInCorpora.isBuiltIn(spec)) {
            return BuiltInCorpora.read(spec);
        }
        if (spec.startsWith("jsonl:")) {
            return JsonLinesSource.read(SourceSpec.parse(spec, true));
        }
        if (spec.startsWith("zip:")) {
            return ZipSource.read(SourceSpec.parse(spec, true));
        }
        return TextSource.readCounted(spec);
    }

    /**
     * Splits by content hash ({@code validation} of the chunks held out, by {@link HeldOutSplit})
     * and tokenises both parts.
     */
    public static Tokens load(String spec, double validation, Tokenizer tokenizer) {
        if (!(validation > 0 && validation < 1)) {
            throw new IllegalArgumentException("validation fraction must be in (0, 1), got " + validation);
        }
        requireByteTokens(tokenizer);
        CorpusText text = read(spec);
        HeldOutSplit split = HeldOutSplit.of(validation);
        return tokens(text, split.apply(text.documents()), split.text());
    }

    /**
     * Tokenises parts already cut from {@code text}.
     *
     * @param split the rule that cut them ({@link HeldOutSplit#text()}), or null when they were not
     *              cut from one corpus
     */
    public static Tokens tokens(CorpusText text, HeldOutSplit.Parts parts, String split) {
        int[] train = ByteTokens.encode(parts.train());
        int[] val = ByteTokens.encode(parts.heldOut());
        return new Tokens(train, val, text.documents().size(), fingerprint(train, val), text.skipped(), text.sources(), split);
    }

    /** Fails unless {@code tokenizer} is the byte tokenizer, the only one the data pipeline reads with. */
    static void requireByteTokens(Tokenizer tokenizer) {
        if (tokenizer.vocabSize() != ByteTokens.VOCAB) {
            throw new IllegalArgumentException("only the byte tokenizer is supported, got " + tokenizer.name());
        }
    }

    /** First 16 hex digits of SHA-256 over both token streams. */
    static String fingerprint(int[] train, int[] validation) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteBuffer buf = ByteBuffer.allocate(4 * 4096);
            for (int[] part : new int[][]{train, validation}) {
                for (int i = 0; i <= part.length; i++) {
                    if (!buf.hasRemaining()) {
                        md.update(buf.flip());
                        buf.clear();
                    }
                    buf.putInt(i < part.length ? part[i] : -1); // -1 marks the part boundary
                }
            }
            md.update(buf.flip());
            return HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
