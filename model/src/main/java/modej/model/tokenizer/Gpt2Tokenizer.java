package modej.model.tokenizer;

import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;

/**
 * GPT-2's byte-pair encoding ({@code r50k_base}, 50,257 ids; id 50256 is {@code <|endoftext|>}),
 * the tokenizer of every GPT-2 checkpoint. Encoding is jtokkit's; text is encoded as ordinary
 * text, so a literal {@code <|endoftext|>} in a corpus is spelled out, never the special id.
 */
public final class Gpt2Tokenizer implements Tokenizer {

    /** The name saved in checkpoints. */
    public static final String NAME = "gpt2";
    /** Ids 0..50255 are byte sequences, 50256 is {@code <|endoftext|>}. */
    public static final int VOCAB = 50257;
    /** The id of {@code <|endoftext|>}. */
    public static final int END_OF_TEXT = 50256;

    public static final Gpt2Tokenizer INSTANCE = new Gpt2Tokenizer();

    private final Encoding encoding;
    /** The bytes each id stands for. */
    private final byte[][] bytes;

    private Gpt2Tokenizer() {
        this.encoding = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.R50K_BASE);
        this.bytes = new byte[VOCAB][];
        IntArrayList one = new IntArrayList(1);
        one.add(0);
        for (int id = 0; id < VOCAB; id++) {
            one.set(0, id);
            bytes[id] = encoding.decodeBytes(one);
        }
    }

    @Override
    public int vocabSize() {
        return VOCAB;
    }

    @Override
    public int[] encode(String text) {
        return encoding.encodeOrdinary(text).toArray();
    }

    /** Ids back to text; a cut through a multi-byte character becomes U+FFFD. */
    @Override
    public String decode(int[] ids, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            n += token(ids, i).length;
        }
        ByteBuffer buf = ByteBuffer.allocate(n);
        for (int i = from; i < to; i++) {
            buf.put(token(ids, i));
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(buf.flip()).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException(e); // cannot happen with REPLACE
        }
    }

    @Override
    public int byteLength(int id) {
        if (id < 0 || id >= VOCAB) {
            throw new IllegalArgumentException("token " + id + " is not a GPT-2 id (0.." + (VOCAB - 1) + ")");
        }
        return bytes[id].length;
    }

    @Override
    public String name() {
        return NAME;
    }

    private byte[] token(int[] ids, int i) {
        int id = ids[i];
        if (id < 0 || id >= VOCAB) {
            throw new IllegalArgumentException("token " + id + " at index " + i + " is not a GPT-2 id (0.." + (VOCAB - 1) + ")");
        }
        return bytes[id];
    }
}
