package modej.engine.kernel;

/**
 * The causal prefix mean pooled[t] = mean of h[0..t] that a per-sequence gate reads, for decoding
 * one position at a time: each step adds its row to the sum kept for the position before, so it
 * costs O(C). The sums are kept per position, so feeding a position again (or going back to an
 * earlier one) gives the same result as the first time.
 *
 * <p>Shapes: h (B,C), this step's row of each sequence; sums (B,T,C), sums[b,t] = Σ h[b,0..t],
 * T the longest sequence; positions (B), the position t of each row; pooled (B,C).
 */
public final class PrefixMean {

    private PrefixMean() {
    }

    /**
     * sums[b,t] = sums[b,t−1] + h[b] (h[b] at t = 0), t = positions[b], the sum over positions
     * ascending as a full-sequence prefix mean adds it; pooled (B,C) = sums[b,t] / (t + 1).
     * Writes both. Parallel over the B·C outputs. (Not named {@code step}: an OpenCL C built-in.)
     */
    public static void advance(float[] pooled, float[] sums, float[] h, int[] positions, int T, int C,
                            int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int j = offset + i;
            int b = j / C;
            int c = j - b * C;
            int t = positions[b];
            int at = (b * T + t) * C + c;
            float s = h[j];
            if (t > 0) {
                s = sums[at - C] + h[j];
            }
            sums[at] = s;
            pooled[j] = s / (t + 1);
        }
    }
}
