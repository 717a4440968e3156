package modej.tasks.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one rule that decides which text a model may train on and which is held out, shared by
 * pretraining ({@code ./modej pretrain}, an experiment's {@code backbone.pretrain}) and by an
 * experiment's domains, so that the two cannot disagree.
 *
 * <p>Documents are cut into {@link Document#chunks(int) chunks} of at most {@code chunkChars}
 * characters; a chunk is held out when the first 53 bits of SHA-256 of its UTF-8 text, read as a
 * number u in [0, 1), satisfy u &ge; 1 − {@code fraction} ({@link Split}). Identical chunks always
 * fall on the same side, and a split with a smaller fraction holds out a subset of what a larger one
 * holds out: so text held out with fraction f is never trained on by anything split with a fraction
 * of f or more. Saved in a checkpoint's metadata as {@value #KEY} = {@link #text()}.
 *
 * @param fraction   the held-out share, in (0, 1)
 * @param chunkChars the longest chunk, in characters
 */
public record HeldOutSplit(double fraction, int chunkChars) {

    /** Checkpoint metadata key of the split a corpus was cut with. */
    public static final String KEY = "modej.corpus.split";

    private static final Pattern TEXT = Pattern.compile("sha256-chunks chunkChars=(\\d+) heldOut=([0-9.eE+-]+)");

    public HeldOutSplit {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("held-out fraction must be in (0, 1), got " + fraction);
        }
        if (chunkChars < 2) {
            throw new IllegalArgumentException("chunk size must be at least 2 characters, got " + chunkChars);
        }
    }

    /** The split with {@code fraction} held out, in chunks of {@link Split#DEFAULT_CHUNK_CHARS}. */
    public static HeldOutSplit of(double fraction) {
        return new HeldOutSplit(fraction, Split.DEFAULT_CHUNK_CHARS);
    }

    /**
     * A corpus cut by this rule.
     *
     * @param train   the chunks to train on, in input order
     * @param heldOut the held-out chunks, in input order
     */
    public record Parts(List<Document> train, List<Document> heldOut) {
        public Parts {
            train = List.copyOf(train);
            heldOut = List.copyOf(heldOut);
        }
    }

    /** Cuts {@code docs} into chunks and splits them. */
    public Parts apply(List<Document> docs) {
        Split s = Split.byFraction(docs, chunkChars, 1 - fraction, fraction, 0);
        return new Parts(s.train(), s.validation());
    }

    /** {@code docs} cut into chunks as {@link #apply} cuts them, none held out (for text read whole). */
    public List<Document> chunks(List<Document> docs) {
        List<Document> out = new ArrayList<>();
        docs.forEach(d -> out.addAll(d.chunks(chunkChars)));
        return out;
    }

    /** This rule with the smaller of the two held-out fractions (same chunking). */
    public HeldOutSplit atMost(double otherFraction) {
        return otherFraction < fraction ? new HeldOutSplit(otherFraction, chunkChars) : this;
    }

    /** E.g. {@code sha256-chunks chunkChars=4096 heldOut=0.05}; read back by {@link #parse}. */
    public String text() {
        return String.format(Locale.ROOT, "sha256-chunks chunkChars=%d heldOut=%s", chunkChars, fraction);
    }

    /**
     * The rule {@link #text()} wrote.
     *
     * @throws IllegalArgumentException when {@code text} is not such a line
     */
    public static HeldOutSplit parse(String text) {
        Matcher m = TEXT.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(KEY + ": expected 'sha256-chunks chunkChars=N heldOut=F', got '" + text + "'");
        }
        return new HeldOutSplit(Double.parseDouble(m.group(2)), Integer.parseInt(m.group(1)));
    }
}
