package modej.tasks.train;

import modej.model.gpt.Runner;
import modej.model.tokenizer.ByteTokenizer;
import modej.model.tokenizer.Tokenizer;

/**
 * Loss and next-token accuracy of a model over the first non-overlapping windows of a held-out
 * token stream: deterministic, so every method and every run is measured on the same tokens.
 */
public final class Validation {

    /**
     * Means over {@code rows} predicted tokens, which stand for {@code textBytes} bytes of text.
     */
    public record Result(double loss, double accuracy, long rows, long textBytes) {

        /** A result of byte tokens: one byte of text per row. */
        public Result(double loss, double accuracy, long rows) {
            this(loss, accuracy, rows, rows);
        }

        /** Perplexity, e^loss. */
        public double perplexity() {
            return Math.exp(loss);
        }

        /**
         * Bits per byte of text: the summed loss in bits over the bytes the predicted tokens stand
         * for, so comparable across tokenizers (with byte tokens, the loss in bits).
         */
        public double bitsPerByte() {
            return loss * rows / Math.log(2) / textBytes;
        }
    }

    /** Sees each batch right after its forward pass, while the graphs still hold its activations. */
    @FunctionalInterface
    public interface BatchObserver {
        /** @param targets the batch's B·T targets (−1 = padding, not evaluated) */
        void afterForward(int[] targets);
    }

    private Validation() {
    }

    /**
     * Evaluates windows of {@code seq + 1} tokens, {@code batch} at a time, at most
     * {@code maxBatches} batches; the runner must be built for (batch, seq).
     */
    public static Result run(Runner runner, int[] tokens, int batch, int seq, int maxBatches) {
        return run(runner, tokens, batch, seq, maxBatches, targets -> { });
    }

    /** As {@link #run(Runner, int[], int, int, int)}, calling {@code observer} after every batch. */
    public static Result run(Runner runner, int[] tokens, int batch, int seq, int maxBatches, BatchObserver observer) {
        return run(runner, tokens, batch, seq, maxBatches, observer, ByteTokenizer.INSTANCE);
    }

    /** As above, for tokens of {@code tokenizer} (which says how many bytes of text each one is). */
    public static Result run(Runner runner, int[] tokens, int batch, int seq, int maxBatches, BatchObserver observer,
                             Tokenizer tokenizer) {
        int window = seq + 1;
        int available = tokens.length / window;
        if (available == 0) {
            throw new IllegalArgumentException("held-out split has " + tokens.length + " tokens, fewer than one window of " + window);
        }
        int batches = Math.min(maxBatches, (available + batch - 1) / batch);
        int n = batch * seq;
        int[] inputs = new int[n], targets = new int[n];
        double loss = 0, acc = 0;
        long rows = 0, bytes = 0;
        for (int b = 0; b < batches; b++) {
            for (int i = 0; i < batch; i++) {
                int w = b * batch + i;
                boolean ok = w < available;
                for (int t = 0; t < seq; t++) {
                    int at = w * window + t;
                    inputs[i * seq + t] = ok ? tokens[at] : 0;
                    targets[i * seq + t] = ok ? tokens[at + 1] : -1;
                }
            }
            Runner.Result r = runner.evaluate(inputs, targets);
            observer.afterForward(targets);
            if (r.rows() > 0) {
                loss += r.loss() * r.rows();
                acc += r.accuracy() * r.rows();
                rows += r.rows();
                for (int target : targets) {
                    bytes += target < 0 ? 0 : tokenizer.byteLength(target);
                }
            }
        }
        return new Result(loss / rows, acc / rows, rows, bytes);
    }
}
