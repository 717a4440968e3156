package modej.model.tokenizer;

import java.nio.charset.StandardCharsets;

/** The default tokenizer: one token per UTF-8 byte, vocab 256. Never fails on any text. */
public final class ByteTokenizer implements Tokenizer {

    public static final ByteTokenizer INSTANCE = new ByteTokenizer();

    private ByteTokenizer() {
    }

    @Override
    public int vocabSize() {
        return 256;
    }

    @Override
    public int[] encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ids[i] = bytes[i] & 0xff;
        }
        return ids;
    }

    /** Bytes back to text; a byte sequence that is not valid UTF-8 decodes to U+FFFD. */
    @Override
    public String decode(int[] ids, int from, int to) {
        byte[] bytes = new byte[to - from];
        for (int i = from; i < to; i++) {
            if (ids[i] < 0 || ids[i] > 255) {
                throw new IllegalArgumentException("token " + ids[i] + " at index " + i + " is not a byte (0..255)");
            }
            bytes[i - from] = (byte) ids[i];
        }
        return new String(bytes, StandardCharsets.UTF_8); // malformed input becomes U+FFFD
    }

    @Override
    public int byteLength(int id) {
        return 1;
    }

    @Override
    public String name() {
        return "bytes";
    }
}
