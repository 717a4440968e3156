package modej.tasks.generate;

import java.util.SplittableRandom;

import modej.model.gpt.Runner;
import modej.model.tokenizer.Tokenizer;

/**
 * Autoregressive sampling from a backbone: temperature, top-k and a seed. Recomputes the whole
 * window for each token (no KV cache): fine for the small models this tool trains.
 */
public final class TextSampler {

    private final Runner runner;
    private final Tokenizer tokenizer;
    private final int window;

    /** {@code runner} must be built for batch 1 and sequence {@code window}. */
    public TextSampler(Runner runner, Tokenizer tokenizer, int window) {
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
            // rows are the model's vocabulary wide, which may be padded past the tokenizer's ids
            int row = Math.max(0, used - 1) * (probs.length / window);
            ids[length++] = used == 0 ? rnd.nextInt(vocab) : pick(probs, row, vocab, temperature, topK, weights, rnd);
        }
        return tokenizer.decode(ids, 0, length);
    }

    /** Samples from softmax(log p / temperature) restricted to the top k, or the argmax when temperature is 0. */
    static int pick(float[] probs, int row, int vocab, float temperature, int topK, double[] w, SplittableRandom rnd) {
        int best = 0;
        for (int v = 1; v < vocab; v++) {
            if (probs[row + v] > probs[row + best]) {
                best = v;
            }
        }
        if (temperature == 0f) {
            return best;
        }
        double threshold = 0;
        if (topK > 0 && topK < vocab) {
            float[] sorted = java.util.Arrays.copyOfRange(probs, row, row + vocab);
            java.util.Arrays.sort(sorted);
            threshold = sorted[vocab - topK];
        }
        double sum = 0;
        for (int v = 0; v < vocab; v++) {
            double p = probs[row + v];
            w[v] = p >= threshold && p > 0 ? Math.exp(Math.log(p) / temperature) : 0;
            sum += w[v];
        }
        double u = rnd.nextDouble() * sum;
        for (int v = 0; v < vocab; v++) {
            u -= w[v];
            if (u <= 0 && w[v] > 0) {
                return v;
            }
        }
        return best;
    }
}
