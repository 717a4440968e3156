package modej.engine.kernel;

/**
 * Token plus position embedding: {@code out[b,t] = wte[tokens[b,t]] + wpe[t]}.
 *
 * <p>Shapes: tokens (B,T) flattened to rows = B·T, wte (V,C) at {@code params[wteOff…]}, wpe (maxT,C)
 * at {@code params[wpeOff…]}, out (B·T,C). The position of a row is {@code row % T}.
 */
public final class Embedding {

    private Embedding() {
    }

    /** out (B·T, C) = wte (V, C)[tokens] + wpe (maxT, C)[row % T]. Parallel over rows. */
    public static void forward(float[] out, int[] tokens, float[] params, int wteOff, int wpeOff, int T, int C,
                               int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int row = offset + i;
            int t = row % T;
            int w = wteOff + tokens[row] * C;
            int p = wpeOff + t * C;
            for (int c = 0; c < C; c++) {
                out[row * C + c] = params[w + c] + params[p + c];
            }
        }
    }

    /**
     * out (B, C) = wte (V, C)[tokens[b]] + wpe (maxT, C)[positions[b]]: one token per sequence at
     * its own position, for decoding step by step. Parallel over the B·C outputs.
     */
    public static void forwardAt(float[] out, int[] tokens, int[] positions, float[] params, int wteOff, int wpeOff,
                                 int C, int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int j = offset + i;
            int b = j / C;
            int c = j - b * C;
            out[j] = params[wteOff + tokens[b] * C + c] + params[wpeOff + positions[b] * C + c];
        }
    }

    /**
     * dwte (V, C) += dout (rows, C) scattered by tokens (rows). Parallel over channels c in [0, C):
     * each worker walks all rows in order, so rows sharing a token never race.
     */
    public static void backwardTokens(float[] grads, int dwteOff, float[] dout, int[] tokens, int rows, int C,
                                      int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int c = offset + i;
            for (int r = 0; r < rows; r++) {
                grads[dwteOff + tokens[r] * C + c] += dout[r * C + c];
            }
        }
    }

    /** dwpe (T, C) += Σ_b dout (B, T, C). Parallel over t·C + c in [0, T·C). */
    public static void backwardPositions(float[] grads, int dwpeOff, float[] dout, int B, int T, int C,
                                         int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int tc = offset + i;
            float sum = 0f;
            for (int b = 0; b < B; b++) {
                sum += dout[b * T * C + tc];
            }
            grads[dwpeOff + tc] += sum;
        }
    }
}
