package modej.model.tokenizer;

import java.util.List;

/** Text ↔ token ids. */
public interface Tokenizer {

    /** Number of distinct ids; every id is in [0, vocabSize). */
    int vocabSize();

    int[] encode(String text);

    /** Tokens {@code [from, to)} back to text; invalid UTF-8 (a cut through a character) becomes U+FFFD. */
    String decode(int[] ids, int from, int to);

    /** The name saved in checkpoints, e.g. {@code "bytes"}. */
    String name();

    /**
     * Bytes of UTF-8 text that token {@code id} stands for (1 for a byte token), so that a loss per
     * token converts to bits per byte of text whatever the tokenizer.
     */
    int byteLength(int id);

    /**
     * Documents as one token stream: each one encoded on its own, with the tokens of a blank line
     * ({@code "\n\n"}) between consecutive documents (not before the first or after the last).
     */
    default int[] encodeDocuments(List<String> texts) {
        int[] separator = encode("\n\n");
        int[][] parts = new int[texts.size()][];
        long total = 0;
        for (int i = 0; i < parts.length; i++) {
            parts[i] = encode(texts.get(i));
            total += parts[i].length + (i > 0 ? separator.length : 0);
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("corpus has " + total + " tokens, more than one int[] can hold");
        }
        int[] out = new int[(int) total];
        int at = 0;
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                System.arraycopy(separator, 0, out, at, separator.length);
                at += separator.length;
            }
            System.arraycopy(parts[i], 0, out, at, parts[i].length);
            at += parts[i].length;
        }
        return out;
    }

    /** Bytes of text that tokens {@code [from, to)} stand for (the sum of {@link #byteLength}). */
    default long textBytes(int[] ids, int from, int to) {
        long n = 0;
        for (int i = from; i < to; i++) {
            n += byteLength(ids[i]);
        }
        return n;
    }
}
