package modej.tasks.data;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import modej.model.tokenizer.Tokenizer;

/**
 * A corpus by name, split and tokenised: {@code wordnet} (WordNet 3.1 glosses, from the Maven
 * artifact on the class path) or a file, folder or glob of UTF-8 text. Documents are cut into
 * chunks before the split, so a single-file corpus still gets a validation part.
 */
public final class Corpus {

    /** The token streams of the two parts, and facts to report and to check a resume against. */
    public record Tokens(int[] train, int[] validation, int documents, String fingerprint) {
    }

    private Corpus() {
    }

    public static List<Document> documents(String spec) {
        return spec.equals("wordnet") ? WordNetCorpus.glosses() : TextSource.read(spec);
    }

    /** Splits by content hash ({@code validation} of the chunks held out) and tokenises both parts. */
    public static Tokens load(String spec, double validation, Tokenizer tokenizer) {
        if (!(validation > 0 && validation < 1)) {
            throw new IllegalArgumentException("validation fraction must be in (0, 1), got " + validation);
        }
        if (tokenizer.vocabSize() != ByteTokens.VOCAB) {
            throw new IllegalArgumentException("only the byte tokenizer is supported, got " + tokenizer.name());
        }
        List<Document> docs = documents(spec);
        Split split = Split.byFraction(docs, 1 - validation, validation, 0);
        int[] train = ByteTokens.encode(split.train());
        int[] val = ByteTokens.encode(split.validation());
        return new Tokens(train, val, docs.size(), fingerprint(train, val));
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
