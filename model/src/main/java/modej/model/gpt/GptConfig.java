package modej.model.gpt;

import java.util.Map;

/**
 * Shape of a GPT-2-style decoder.
 *
 * @param vocab    token ids are in [0, vocab); 256 for the byte tokenizer
 * @param context  longest sequence (rows of the position embedding)
 * @param layers   transformer layers
 * @param heads    attention heads; must divide width
 * @param width    model width C (channels of the residual stream)
 * @param tiedHead whether the LM head is the token embedding (GPT-2) or its own (vocab, width) matrix
 */
public record GptConfig(int vocab, int context, int layers, int heads, int width, boolean tiedHead) {

    /**
     * Presets by name; {@code tiny} trains in minutes on 2 cores, {@code small} is the bench's config B,
     * {@code gpt2} and {@code gpt2-medium} are the shapes of GPT-2 124M and 355M (GPT-2's BPE vocabulary
     * of 50,257 ids, context 1024, tied head), the shapes a Hugging Face GPT-2 import has.
     */
    public static final Map<String, GptConfig> PRESETS = Map.of(
            "tiny", new GptConfig(256, 128, 4, 4, 128, true),
            "small", new GptConfig(256, 256, 6, 6, 384, true),
            "gpt2", new GptConfig(50257, 1024, 12, 12, 768, true),
            "gpt2-medium", new GptConfig(50257, 1024, 24, 16, 1024, true));

    public GptConfig {
        positive("vocab", vocab);
        positive("context", context);
        positive("layers", layers);
        positive("heads", heads);
        positive("width", width);
        if (width % heads != 0) {
            throw new IllegalArgumentException("width: " + width + " is not a multiple of heads (" + heads + ")");
        }
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + ": must be > 0, got " + value);
        }
    }

    public static GptConfig preset(String name) {
        GptConfig c = PRESETS.get(name);
        if (c == null) {
            throw new IllegalArgumentException("unknown preset '" + name + "'; known: " + PRESETS.keySet().stream().sorted().toList());
        }
        return c;
    }

    public int headSize() {
        return width / heads;
    }

    /**
     * Memory the weights need, and weights with gradients and both AdamW moments (full training),
     * as one line; activations come on top and grow with batch × sequence (and the head's
     * batch × sequence × vocab logits).
     */
    public String memoryEstimate() {
        double mib = parameterCount() * 4.0 / (1 << 20);
        return String.format(java.util.Locale.ROOT, "weights %,.0f MiB, with gradients and AdamW moments %,.0f MiB "
                + "(activations extra)", mib, 4 * mib);
    }

    /** Parameters in all slabs (a tied head counted once). */
    public long parameterCount() {
        long c = width;
        long head = tiedHead ? 0 : (long) vocab * c;
        return (long) vocab * c + (long) context * c + layers * layerParameterCount() + 2 * c + head;
    }

    /** Parameters of one transformer layer (one slab): two LayerNorms, attention and MLP weights and biases. */
    public long layerParameterCount() {
        long c = width;
        return 2 * c + (3 * c * c + 3 * c) + (c * c + c) + 2 * c + (4 * c * c + 4 * c) + (4 * c * c + c);
    }
}
