package modej.model.tokenizer;

import java.util.List;
import java.util.Map;

/** The tokenizers by the name checkpoints save under {@link #METADATA_KEY}. */
public final class Tokenizers {

    /** Checkpoint metadata key of the tokenizer's name. */
    public static final String METADATA_KEY = "modej.tokenizer";
    /** Names {@link #byName} knows. */
    public static final List<String> NAMES = List.of("bytes", "gpt2");

    private Tokenizers() {
    }

    /** {@code bytes} or {@code gpt2} (alias {@code r50k_base}); a one-line error otherwise. */
    public static Tokenizer byName(String name) {
        return switch (name) {
            case "bytes" -> ByteTokenizer.INSTANCE;
            case "gpt2", "r50k_base" -> Gpt2Tokenizer.INSTANCE;
            default -> throw new IllegalArgumentException("unknown tokenizer '" + name + "'; known: bytes, gpt2 (r50k_base)");
        };
    }

    /** The tokenizer a checkpoint's metadata names; checkpoints from before tokenizers were saved are bytes. */
    public static Tokenizer of(Map<String, String> metadata) {
        String name = metadata.get(METADATA_KEY);
        return name == null ? ByteTokenizer.INSTANCE : byName(name);
    }

    /**
     * Checks that a model with {@code vocab} output rows can take every id of {@code tokenizer}
     * (a larger, padded vocabulary is fine); returns the tokenizer.
     */
    public static Tokenizer checkVocab(Tokenizer tokenizer, int vocab) {
        if (vocab < tokenizer.vocabSize()) {
            throw new IllegalArgumentException("the model's vocabulary (" + vocab + ") is smaller than the "
                    + tokenizer.name() + " tokenizer's (" + tokenizer.vocabSize() + ")");
        }
        return tokenizer;
    }
}
