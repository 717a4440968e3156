package modej.engine.kernel;

/**
 * A routed expert's fully connected layer, {@code out = inp · Wᵀ + b} for the rows a router sent
 * to this expert: a row computes only when its routing weight {@code weights[row][source]} is not 0
 * (a top-k router gives 0 to the sources it did not choose). Unrouted rows cost nothing: forward
 * writes 0 into them, the input gradient leaves them untouched, the weight gradient sums over
 * routed rows only (an unrouted row's output gradient is 0, so the sums equal {@link Matmul}'s).
 *
 * <p>Shapes: inp (rows, C), weight (OC, C) at {@code params[wOff…]}, bias (OC) at
 * {@code params[bOff…]} or none when {@code bOff < 0}, out (rows, OC), weights (rows, E1) with this
 * expert in column {@code source}.
 */
public final class RoutedMatmul {

    private RoutedMatmul() {
    }

    /**
     * out (rows, OC) = inp (rows, C) · weight (OC, C)ᵀ + bias (OC) where weights[row][source] ≠ 0,
     * else 0. Writes every element of out. Parallel over rows.
     */
    public static void forward(float[] out, float[] inp, float[] params, int wOff, int bOff, float[] weights,
                               int source, int E1, int C, int OC, int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int row = offset + i;
            boolean routed = weights[row * E1 + source] != 0f;
            for (int o = 0; o < OC; o++) {
                float sum = 0f;
                if (routed) {
                    if (bOff >= 0) {
                        sum = params[bOff + o];
                    }
                    for (int c = 0; c < C; c++) {
                        sum += inp[row * C + c] * params[wOff + o * C + c];
                    }
                }
                out[row * OC + o] = sum;
            }
        }
    }

    /**
     * dinp (rows, C) += dout (rows, OC) · weight (OC, C) where weights[row][source] ≠ 0; other rows
     * are left as they are. Parallel over rows.
     */
    public static void backwardInput(float[] dinp, float[] dout, float[] params, int wOff, float[] weights,
                                     int source, int E1, int C, int OC, int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int row = offset + i;
            if (weights[row * E1 + source] != 0f) {
                for (int c = 0; c < C; c++) {
                    float sum = 0f;
                    for (int o = 0; o < OC; o++) {
                        sum += dout[row * OC + o] * params[wOff + o * C + c];
                    }
                    dinp[row * C + c] += sum;
                }
            }
        }
    }

    /**
     * dweight (OC, C) += Σ over routed rows of dout (rows, OC)ᵀ · inp (rows, C); dbias (OC) +=
     * Σ over routed rows of dout, unless {@code dbOff < 0}. Parallel over output channels, each
     * summing over the rows itself in ascending order.
     */
    public static void backwardParams(float[] grads, int dwOff, int dbOff, float[] dout, float[] inp, float[] weights,
                                      int source, int E1, int rows, int C, int OC, int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int o = offset + i;
            for (int c = 0; c < C; c++) {
                float sum = 0f;
                for (int r = 0; r < rows; r++) {
                    if (weights[r * E1 + source] != 0f) {
                        sum += dout[r * OC + o] * inp[r * C + c];
                    }
                }
                grads[dwOff + o * C + c] += sum;
            }
            if (dbOff >= 0) {
                float sum = 0f;
                for (int r = 0; r < rows; r++) {
                    if (weights[r * E1 + source] != 0f) {
                        sum += dout[r * OC + o];
                    }
                }
                grads[dbOff + o] += sum;
            }
        }
    }
}
