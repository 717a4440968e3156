package modej.tasks.data;

/**
 * Batches of consecutive, non-overlapping windows over a token stream, for evaluation: window k
 * holds tokens {@code [k*T, k*T+T)} and its targets {@code [k*T+1, k*T+T+1)}. The same stream and
 * shape always give the same batches, in order. Drawing allocates nothing.
 */
public final class SequentialBatches {

    private final int[] tokens;
    private final int batch;
    private final int seqLen;
    private final int windows;
    private int nextWindow;

    /**
     * @param tokens     the token stream, e.g. the validation split; kept, not copied
     * @param batch      rows per batch (B)
     * @param seqLen     tokens per row (T)
     * @param maxBatches the most batches to give; fewer when the stream runs out first
     * @throws IllegalArgumentException when the stream has fewer than seqLen + 1 tokens
     */
    public SequentialBatches(int[] tokens, int batch, int seqLen, int maxBatches) {
        BatchSampler.checkShape(tokens, batch, seqLen);
        if (maxBatches < 1) {
            throw new IllegalArgumentException("maxBatches must be positive, got " + maxBatches);
        }
        this.tokens = tokens;
        this.batch = batch;
        this.seqLen = seqLen;
        this.windows = (int) Math.min((tokens.length - 1) / seqLen, (long) maxBatches * batch);
    }

    /** Number of batches this gives in all; the last may have fewer than B rows. */
    public int batches() {
        return (windows + batch - 1) / batch;
    }

    /** Number of windows (rows) this gives in all. */
    public int windows() {
        return windows;
    }

    /** Whether {@link #next(int[], int[])} has another batch to give. */
    public boolean hasNext() {
        return nextWindow < windows;
    }

    /**
     * Fills the next batch.
     *
     * @param inputs  (B, T) token windows
     * @param targets (B, T) the same windows shifted one token ahead
     * @return number of rows filled: B, fewer for the last batch, 0 when done; rows past it are
     *         left as they were and must not count in a loss
     */
    public int next(int[] inputs, int[] targets) {
        if (inputs.length != batch * seqLen || targets.length != batch * seqLen) {
            throw new IllegalArgumentException("inputs and targets must hold batch*seqLen = " + batch * seqLen
                    + " tokens, got " + inputs.length + " and " + targets.length);
        }
        int rows = Math.min(batch, windows - nextWindow);
        for (int row = 0; row < rows; row++) {
            int start = (nextWindow + row) * seqLen;
            System.arraycopy(tokens, start, inputs, row * seqLen, seqLen);
            System.arraycopy(tokens, start + 1, targets, row * seqLen, seqLen);
        }
        nextWindow += rows;
        return rows;
    }

    /** Starts again from the first batch. */
    public void reset() {
        nextWindow = 0;
    }
}
