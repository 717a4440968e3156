package modej.tasks.train;

import modej.model.gpt.Runner;

/**
 * Loss and next-token accuracy of a model over non-overlapping windows of a held-out token stream:
 * every window when there are few enough, otherwise windows spread evenly over the whole stream
 * (window j of n taken from the j·N/n-th of its N windows). Deterministic, so every method and every
 * run is measured on the same tokens.
 */
public final class Validation {

    /**
     * Means over {@code rows} predicted tokens, and how far they may be from the means over the
     * whole stream.
     *
     * @param loss           mean cross-entropy per predicted token, nats
     * @param accuracy       next-token accuracy
     * @param rows           predicted tokens the means are over
     * @param lossStdErr     standard error of {@code loss}: the spread of the per-batch means
     *                       (weighted by their rows) over √batches; 0 with one batch, and 0 as a
     *                       sampling error when every window of the stream was evaluated
     * @param accuracyStdErr standard error of {@code accuracy}, likewise
     * @param windows        windows evaluated
     * @param available      windows the stream holds; {@code windows == available} means the whole
     *                       stream (up to its last partial window) was evaluated
     */
    public record Result(double loss, double accuracy, long rows, double lossStdErr, double accuracyStdErr,
                         int windows, int available) {

        /** Perplexity, e^loss. */
        public double perplexity() {
            return Math.exp(loss);
        }

        /** Bits per byte: with byte tokens, the loss in bits. */
        public double bitsPerByte() {
            return loss / Math.log(2);
        }

        /** Whether every window of the stream was evaluated (then the means have no sampling error). */
        public boolean complete() {
            return windows == available;
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
     * {@code maxBatches} batches (0 or less: every window); the runner must be built for (batch, seq).
     */
    public static Result run(Runner runner, int[] tokens, int batch, int seq, int maxBatches) {
        return run(runner, tokens, batch, seq, maxBatches, targets -> { });
    }

    /** As {@link #run(Runner, int[], int, int, int)}, calling {@code observer} after every batch. */
    public static Result run(Runner runner, int[] tokens, int batch, int seq, int maxBatches, BatchObserver observer) {
        int window = seq + 1;
        int available = tokens.length / window;
        if (available == 0) {
            throw new IllegalArgumentException("held-out split has " + tokens.length + " tokens, fewer than one window of " + window);
        }
        int used = maxBatches <= 0 ? available : (int) Math.min(available, (long) maxBatches * batch);
        int batches = (used + batch - 1) / batch;
        int n = batch * seq;
        int[] inputs = new int[n], targets = new int[n];
        double[] batchLoss = new double[batches], batchAcc = new double[batches];
        long[] batchRows = new long[batches];
        for (int b = 0; b < batches; b++) {
            for (int i = 0; i < batch; i++) {
                int j = b * batch + i;
                boolean ok = j < used;
                long w = ok ? (long) j * available / used : 0; // spread evenly; distinct for distinct j
                for (int t = 0; t < seq; t++) {
                    int at = (int) (w * window + t);
                    inputs[i * seq + t] = ok ? tokens[at] : 0;
                    targets[i * seq + t] = ok ? tokens[at + 1] : -1;
                }
            }
            Runner.Result r = runner.evaluate(inputs, targets);
            observer.afterForward(targets);
            batchLoss[b] = r.loss();
            batchAcc[b] = r.accuracy();
            batchRows[b] = r.rows();
        }
        long rows = 0;
        double loss = 0, acc = 0;
        for (int b = 0; b < batches; b++) {
            rows += batchRows[b];
            loss += batchRows[b] == 0 ? 0 : batchLoss[b] * batchRows[b];
            acc += batchRows[b] == 0 ? 0 : batchAcc[b] * batchRows[b];
        }
        loss /= rows;
        acc /= rows;
        return new Result(loss, acc, rows, stdErr(batchLoss, batchRows, loss), stdErr(batchAcc, batchRows, acc), used,
                available);
    }

    /**
     * Standard error of a weighted mean of per-batch means: √(n/(n−1) · Σ wᵢ²(xᵢ − x̄)²) / Σwᵢ over
     * the n batches with rows (equal weights: the sample standard deviation over √n); 0 for n = 1.
     */
    static double stdErr(double[] means, long[] weights, double mean) {
        int n = 0;
        double sum = 0, total = 0;
        for (int b = 0; b < means.length; b++) {
            if (weights[b] > 0) {
                n++;
                double d = weights[b] * (means[b] - mean);
                sum += d * d;
                total += weights[b];
            }
        }
        return n < 2 ? 0 : Math.sqrt(sum * n / (n - 1)) / total;
    }
}
