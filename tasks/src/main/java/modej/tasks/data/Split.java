package modej.tasks.data;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * A corpus cut into train, validation and test parts by a hash of each document's text.
 *
 * <p>A document's part depends only on its text (SHA-256 of its UTF-8 bytes, read as a uniform number
 * in [0, 1)), so the split is the same on every run and JVM, does not depend on the order of the
 * input, puts each document in exactly one part, and puts identical texts in the same part. Each
 * part keeps the input order. Fractions hold on average: a small corpus may leave a part empty.
 *
 * @param train      documents to train on
 * @param validation documents to measure loss on while training
 * @param test       documents held out until the end
 */
public record Split(List<Document> train, List<Document> validation, List<Document> test) {

    /** Chunk size that {@link #byFraction(List, double, double, double)} uses: 4 KiB of text. */
    public static final int DEFAULT_CHUNK_CHARS = 4096;

    /** Makes the lists unmodifiable. */
    public Split {
        train = List.copyOf(train);
        validation = List.copyOf(validation);
        test = List.copyOf(test);
    }

    /**
     * Splits whole documents.
     *
     * @param docs       the corpus
     * @param train      fraction for training, in [0, 1]
     * @param validation fraction for validation, in [0, 1]
     * @param test       fraction for test, in [0, 1]; the three must sum to 1
     * @return the three parts
     */
    public static Split of(List<Document> docs, double train, double validation, double test) {
        checkFractions(train, validation, test);
        List<Document> trainDocs = new ArrayList<>();
        List<Document> validationDocs = new ArrayList<>();
        List<Document> testDocs = new ArrayList<>();
        MessageDigest sha256 = sha256();
        for (Document doc : docs) {
            double u = unitHash(sha256, doc.text());
            int part = u < train ? 0 : u < train + validation ? 1 : 2;
            if (part == 2 && test == 0) {
                part = validation > 0 ? 1 : 0;  // rounding left a sliver past train + validation
            }
            (part == 0 ? trainDocs : part == 1 ? validationDocs : testDocs).add(doc);
        }
        return new Split(trainDocs, validationDocs, testDocs);
    }

    /**
     * Splits documents after cutting each into {@link Document#chunks(int) chunks} of at most
     * {@code maxChars} characters, so that a corpus of one long file still gets a validation part.
     *
     * @param docs       the corpus
     * @param maxChars   the longest chunk
     * @param train      fraction for training
     * @param validation fraction for validation
     * @param test       fraction for test; the three must sum to 1
     * @return the three parts, made of chunks
     */
    public static Split byFraction(List<Document> docs, int maxChars, double train, double validation,
                                   double test) {
        List<Document> chunks = new ArrayList<>();
        for (Document doc : docs) {
            chunks.addAll(doc.chunks(maxChars));
        }
        return of(chunks, train, validation, test);
    }

    /** {@link #byFraction(List, int, double, double, double)} with {@link #DEFAULT_CHUNK_CHARS}. */
    public static Split byFraction(List<Document> docs, double train, double validation, double test) {
        return byFraction(docs, DEFAULT_CHUNK_CHARS, train, validation, test);
    }

    /** The text's place in [0, 1): the first 53 bits of SHA-256 of its UTF-8 bytes. */
    static double unitHash(String text) {
        return unitHash(sha256(), text);
    }

    private static double unitHash(MessageDigest sha256, String text) {
        byte[] digest = sha256.digest(text.getBytes(StandardCharsets.UTF_8));
        long bits = ByteBuffer.wrap(digest).getLong();
        return (bits >>> 11) * 0x1.0p-53;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    private static void checkFractions(double train, double validation, double test) {
        boolean inRange = train >= 0 && validation >= 0 && test >= 0 && train <= 1 && validation <= 1 && test <= 1;
        if (!inRange || Math.abs(train + validation + test - 1) > 1e-9) {
            throw new IllegalArgumentException("split fractions must be in [0, 1] and sum to 1, got train "
                    + train + ", validation " + validation + ", test " + test);
        }
    }
}
