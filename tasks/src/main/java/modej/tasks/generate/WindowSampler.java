package modej.tasks.generate;

import java.util.SplittableRandom;

import modej.model.gpt.Runner;
import modej.model.tokenizer.Tokenizer;

/**
 * Autoregressive sampling that recomputes the whole window for each token (no key/value cache):
 * O(T²) per token where {@link TextSampler} spends O(T). Kept as the reference the cached sampler
 * is checked and timed against ({@code ./modej generate --time}); past the window it slides by one
 * token, where the cached sampler restarts from the last half window.
 */
public final class WindowSampler {

    private final Runner runner;
    private final Tokenizer tokenizer;
    private final int window;

    /** {@code runner} must be built for batch 1 and sequence {@code window}. */
    public WindowSampler(Runner runner, Tokenizer tokenizer, int window) {
        this.runner = runner;
        this.tokenizer = tokenizer;
        this.window = window;
    }

    /**
     * Continues {@code prompt} by {@code tokens} tokens.
     *
     * @param temperature 0 means greedy (argmax)
     * @param topK        0 means no limit
     */
    public String sample(String prompt, int tokens, float temperature, int topK, long seed) {
        if (temperature < 0 || topK < 0 || tokens < 0) {
            throw new IllegalArgumentException("temperature, top-k and tokens must be >= 0");
        }
        int[] promptIds = tokenizer.encode(prompt);
        int[] ids = new int[promptIds.length + tokens];
        System.arraycopy(promptIds, 0, ids, 0, promptIds.length);
        int length = promptIds.length;
        int vocab = tokenizer.vocabSize();
        int[] input = new int[window];
        double[] weights = new double[vocab];
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int n = 0; n < tokens; n++) {
            int start = Math.max(0, length - window);
            int used = length - start;
            java.util.Arrays.fill(input, 0);
            System.arraycopy(ids, start, input, 0, used);
            runner.forward(input);
            float[] probs = runner.probabilities();
            int row = Math.max(0, used - 1) * (probs.length / window); // rows are the model's vocabulary wide
            ids[length++] = used == 0 ? rnd.nextInt(vocab) : TextSampler.pick(probs, row, vocab, temperature, topK, weights, rnd);
        }
        return tokenizer.decode(ids, 0, length);
    }
}
