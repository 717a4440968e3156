package modej.tasks.data;

/**
 * Draws training batches of random windows from a token stream, reproducibly.
 *
 * <p>The windows of the i-th batch depend only on the seed and i, so a run resumed with
 * {@link #seek(long)} sees exactly the batches it would have seen. Drawing allocates nothing.
 */
public final class BatchSampler implements Batches {

    private final int[] tokens;
    private final int batch;
    private final int seqLen;
    private final long seed;
    private long position;

    /**
     * @param tokens the token stream; kept, not copied
     * @param batch  rows per batch (B)
     * @param seqLen tokens per row (T)
     * @param seed   seed of the window choice
     * @throws IllegalArgumentException when the stream has fewer than seqLen + 1 tokens
     */
    public BatchSampler(int[] tokens, int batch, int seqLen, long seed) {
        checkShape(tokens, batch, seqLen);
        this.tokens = tokens;
        this.batch = batch;
        this.seqLen = seqLen;
        this.seed = seed;
    }

    /** Checks B and T are positive and the stream has room for one window and its targets. */
    static void checkShape(int[] tokens, int batch, int seqLen) {
        if (batch < 1 || seqLen < 1) {
            throw new IllegalArgumentException("batch and seqLen must be positive, got " + batch + " and " + seqLen);
        }
        if (tokens.length < seqLen + 1L) {
            throw new IllegalArgumentException("corpus has " + tokens.length + " tokens, needs at least seqLen+1 = "
                    + (seqLen + 1L));
        }
    }

    /**
     * Fills the next batch and advances {@link #position()} by one.
     *
     * @param inputs  (B, T) token windows
     * @param targets (B, T) the same windows shifted one token ahead
     */
    @Override
    public void next(int[] inputs, int[] targets) {
        if (inputs.length != batch * seqLen || targets.length != batch * seqLen) {
            throw new IllegalArgumentException("inputs and targets must hold batch*seqLen = " + batch * seqLen
                    + " tokens, got " + inputs.length + " and " + targets.length);
        }
        long key = mix(seed ^ mix(position + 0x632BE59BD9B4E019L));
        long starts = tokens.length - seqLen;  // window starts 0 .. length-seqLen-1 leave room for targets
        for (int row = 0; row < batch; row++) {
            long bits = mix(key + 0x9E3779B97F4A7C15L * (row + 1));
            int start = (int) Math.unsignedMultiplyHigh(bits, starts);
            System.arraycopy(tokens, start, inputs, row * seqLen, seqLen);
            System.arraycopy(tokens, start + 1, targets, row * seqLen, seqLen);
        }
        position++;
    }

    /** Number of batches drawn so far, the index of the next batch. */
    public long position() {
        return position;
    }

    /** Makes the next batch the one with index {@code position}, as after that many calls to next. */
    @Override
    public void seek(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("position must be >= 0, got " + position);
        }
        this.position = position;
    }

    /** Tokens in the stream: what one epoch covers. */
    public long epochTokens() {
        return tokens.length;
    }

    /** Epochs seen so far: tokens drawn divided by {@link #epochTokens()}. */
    public double epochs() {
        return (double) position * batch * seqLen / tokens.length;
    }

    /** The SplitMix64 finalizer: a strong 64-bit mix. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
