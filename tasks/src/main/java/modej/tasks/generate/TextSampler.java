package modej.tasks.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Predicate;

import modej.model.gpt.DecodeRunner;
import modej.model.tokenizer.Tokenizer;

/**
 * Autoregressive generation with key/value caches: each new token costs one decode step over the
 * positions so far (O(T)), not a forward pass over the whole window. Sampling (temperature, top-k,
 * a seed) for one text, and greedy continuation of many prompts at once, one per decoder row.
 * Text goes through the {@link Tokenizer} here only.
 */
public final class TextSampler {

    private final DecodeRunner runner;
    private final Tokenizer tokenizer;
    private final int batch, context, vocab;
    private int rowWidth; // the model's vocabulary, which may be padded past the tokenizer's ids

    public TextSampler(DecodeRunner runner, Tokenizer tokenizer) {
        this.runner = runner;
        this.tokenizer = tokenizer;
        this.batch = runner.decoder().batch();
        this.context = runner.decoder().context();
        this.vocab = tokenizer.vocabSize();
    }

    /** Width of one row of the runner's probabilities: the model's vocabulary (at least the tokenizer's). */
    private int rowWidth() {
        if (rowWidth == 0) {
            rowWidth = runner.probabilities().length / batch;
        }
        return rowWidth;
    }

    /** Tokens in {@code text}. */
    public int tokenCount(String text) {
        return tokenizer.encode(text).length;
    }

    /**
     * Continues {@code prompt} by {@code tokens} tokens and returns prompt and continuation. When
     * the text fills the context, the caches restart from its last half (the model then sees at
     * least half a context of history), so long texts still cost O(T) per token.
     *
     * @param temperature 0 means greedy (argmax)
     * @param topK        0 means no limit
     */
    public String sample(String prompt, int tokens, float temperature, int topK, long seed) {
        int[] ids = sampleIds(tokenizer.encode(prompt), tokens, temperature, topK, seed);
        return tokenizer.decode(ids, 0, ids.length);
    }

    /** {@link #sample} on token ids: the prompt's ids followed by the {@code tokens} sampled. */
    public int[] sampleIds(int[] promptIds, int tokens, float temperature, int topK, long seed) {
        if (temperature < 0 || topK < 0 || tokens < 0) {
            throw new IllegalArgumentException("temperature, top-k and tokens must be >= 0");
        }
        int[] ids = Arrays.copyOf(promptIds, promptIds.length + tokens);
        int length = promptIds.length;
        double[] weights = new double[vocab];
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] feed = new int[batch], positions = new int[batch];
        int start = Math.max(0, length - context);   // the text's first token in the cache, at position 0
        int fed = start;                             // text tokens in the cache so far
        for (int n = 0; n < tokens; n++) {
            if (length == 0) {
                ids[length++] = rnd.nextInt(vocab);   // nothing to condition on
                continue;
            }
            if (length - start > context) {
                start = length - context / 2;         // full: restart from the last half
                fed = start;
            }
            while (fed < length) {                     // feed what the cache lacks; the last gives the next token
                feed[0] = ids[fed];
                positions[0] = fed - start;
                runner.step(feed, positions);
                fed++;
            }
            ids[length++] = pick(runner.probabilities(), 0, vocab, temperature, topK, weights, rnd);
        }
        return ids;
    }

    /**
     * Greedy continuations of {@code prompts}, {@code batch} at a time: each prompt cut from the
     * left to at most {@code promptLimit} tokens, then continued until {@code tokens} tokens, the
     * end of the context, or {@code done} accepts the continuation so far.
     *
     * @return the continuations only (not the prompts), in the order of {@code prompts}
     */
    public List<String> greedy(List<String> prompts, int promptLimit, int tokens, Predicate<String> done) {
        if (promptLimit < 1 || tokens < 0) {
            throw new IllegalArgumentException("promptLimit must be >= 1 and tokens >= 0");
        }
        List<String> out = new ArrayList<>();
        for (int from = 0; from < prompts.size(); from += batch) {
            out.addAll(greedyBatch(prompts.subList(from, Math.min(prompts.size(), from + batch)), promptLimit, tokens, done));
        }
        return out;
    }

    private List<String> greedyBatch(List<String> prompts, int promptLimit, int tokens, Predicate<String> done) {
        int n = prompts.size();
        int[][] text = new int[batch][];
        int[] promptLength = new int[batch], length = new int[batch], positions = new int[batch], feed = new int[batch];
        boolean[] active = new boolean[batch];
        for (int b = 0; b < batch; b++) {
            int[] ids = b < n ? tokenizer.encode(prompts.get(b)) : new int[]{0};   // spare rows decode a dummy token
            if (ids.length == 0) {
                throw new IllegalArgumentException("prompt " + b + " is empty");
            }
            int cut = Math.min(ids.length, Math.min(promptLimit, context));
            promptLength[b] = cut;
            length[b] = cut;
            text[b] = Arrays.copyOf(Arrays.copyOfRange(ids, ids.length - cut, ids.length), cut + tokens);
            active[b] = b < n && tokens > 0;
        }
        while (anyActive(active)) {
            for (int b = 0; b < batch; b++) {
                feed[b] = text[b][positions[b]];       // a finished row feeds its last token again: no change
            }
            runner.step(feed, positions);
            for (int b = 0; b < batch; b++) {
                if (!active[b]) {
                    continue;
                }
                if (positions[b] == length[b] - 1) {   // the last token so far went in: pick the next
                    text[b][length[b]++] = argmax(runner.probabilities(), b * rowWidth(), vocab);
                    int generated = length[b] - promptLength[b];
                    active[b] = generated < tokens && length[b] < context
                            && !done.test(tokenizer.decode(text[b], promptLength[b], length[b]));
                }
                if (active[b]) {
                    positions[b]++;
                }
            }
        }
        List<String> out = new ArrayList<>();
        for (int b = 0; b < n; b++) {
            out.add(tokenizer.decode(text[b], promptLength[b], length[b]));
        }
        return out;
    }

    private static boolean anyActive(boolean[] active) {
        for (boolean a : active) {
            if (a) {
                return true;
            }
        }
        return false;
    }

    private static int argmax(float[] probs, int row, int vocab) {
        int best = 0;
        for (int v = 1; v < vocab; v++) {
            if (probs[row + v] > probs[row + best]) {
                best = v;
            }
        }
        return best;
    }

    /** Samples from softmax(log p / temperature) restricted to the top k, or the argmax when temperature is 0. */
    static int pick(float[] probs, int row, int vocab, float temperature, int topK, double[] w, SplittableRandom rnd) {
        int best = argmax(probs, row, vocab);
        if (temperature == 0f) {
            return best;
        }
        double threshold = 0;
        if (topK > 0 && topK < vocab) {
            float[] sorted = Arrays.copyOfRange(probs, row, row + vocab);
            Arrays.sort(sorted);
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
