package modej.tasks.data;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import modej.model.tokenizer.ByteTokenizer;

/**
 * The simplest tokenizer: one token per UTF-8 byte, so the vocabulary is 256 and nothing is ever
 * out of vocabulary.
 */
public final class ByteTokens {

    /** Number of distinct tokens: one per byte value. */
    public static final int VOCAB = 256;

    /** Bytes placed between two documents: a blank line, {@code '\n' '\n'}. */
    public static final byte[] SEPARATOR = {'\n', '\n'};

    private ByteTokens() {
    }

    /**
     * Turns documents into one token stream: the UTF-8 bytes of each as ints 0..255, with
     * {@link #SEPARATOR} between consecutive documents (not before the first or after the last).
     *
     * @param docs the documents, in the order their bytes should appear
     * @return the token stream
     */
    public static int[] encode(List<Document> docs) {
        List<byte[]> parts = new ArrayList<>(docs.size());
        long total = 0;
        for (Document doc : docs) {
            byte[] bytes = doc.text().getBytes(StandardCharsets.UTF_8);
            parts.add(bytes);
            total += bytes.length + (parts.size() > 1 ? SEPARATOR.length : 0);
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("corpus has " + total + " bytes, more than one int[] can hold");
        }
        int[] tokens = new int[(int) total];
        int at = 0;
        for (int p = 0; p < parts.size(); p++) {
            if (p > 0) {
                for (byte b : SEPARATOR) {
                    tokens[at++] = b;
                }
            }
            for (byte b : parts.get(p)) {
                tokens[at++] = b & 0xFF;
            }
        }
        return tokens;
    }

    /**
     * Turns tokens {@code [from, to)} back into text. Never fails on a cut through a multi-byte
     * character or on bytes a model made up: each malformed sequence becomes U+FFFD.
     *
     * @param tokens the token stream
     * @param from   first token, inclusive
     * @param to     last token, exclusive
     * @return the decoded text
     * @throws IllegalArgumentException when a token is not in 0..255
     */
    public static String decode(int[] tokens, int from, int to) {
        if (from < 0 || to > tokens.length || from > to) {
            throw new IndexOutOfBoundsException("range [" + from + ", " + to + ") of " + tokens.length + " tokens");
        }
        return ByteTokenizer.INSTANCE.decode(tokens, from, to);
    }
}
