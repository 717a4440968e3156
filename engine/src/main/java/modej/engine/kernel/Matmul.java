package modej.engine.kernel;

/**
 * Fully connected layer: {@code out = inp · Wᵀ + b}.
 *
 * <p>Shapes: inp (rows, C), weight (OC, C) at {@code params[wOff…]}, bias (OC) at
 * {@code params[bOff…]} or none when {@code bOff < 0}, out (rows, OC).
 */
public final class Matmul {

    private Matmul() {
    }

    /**
     * out (rows, OC) = inp (rows, C) · weight (OC, C)ᵀ + bias (OC). Parallel over output elements
     * (row, o): the JVM splits rows, a device runs one thread per element.
     */
    public static void forward(float[] out, float[] inp, float[] params, int wOff, int bOff, int C, int OC,
                               int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            for (@Parallel int o = 0; o < OC; o++) {
                int row = offset + i;
                float sum = 0f;
                if (bOff >= 0) {
                    sum = params[bOff + o];
                }
                for (int c = 0; c < C; c++) {
                    sum += inp[row * C + c] * params[wOff + o * C + c];
                }
                out[row * OC + o] = sum;
            }
        }
    }

    /**
     * out (rows, OC) += inp (rows, C) · weight (OC, C)ᵀ, no bias: a second product added onto a
     * first (LoRA's B·A·x onto W·x). Parallel over rows. Its backward is {@link #backwardInput} and
     * {@link #backwardParams} without bias; dout passes to the first product unchanged. Parallel over
     * output elements (row, o).
     */
    public static void forwardAccumulate(float[] out, float[] inp, float[] params, int wOff, int C, int OC,
                                         int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            for (@Parallel int o = 0; o < OC; o++) {
                int row = offset + i;
                float sum = 0f;
                for (int c = 0; c < C; c++) {
                    sum += inp[row * C + c] * params[wOff + o * C + c];
                }
                out[row * OC + o] += sum;
            }
        }
    }

    /**
     * dinp (rows, C) += dout (rows, OC) · weight (OC, C). Parallel over input-gradient elements
     * (row, c); neighbouring threads read neighbouring weights.
     */
    public static void backwardInput(float[] dinp, float[] dout, float[] params, int wOff, int C, int OC,
                                     int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            for (@Parallel int c = 0; c < C; c++) {
                int row = offset + i;
                float sum = 0f;
                for (int o = 0; o < OC; o++) {
                    sum += dout[row * OC + o] * params[wOff + o * C + c];
                }
                dinp[row * C + c] += sum;
            }
        }
    }

    /**
     * dweight (OC, C) += dout (rows, OC)ᵀ · inp (rows, C); dbias (OC) += Σ_rows dout, unless
     * {@code dbOff < 0}. Parallel over weight-gradient elements (o, c), OC·C threads on a device,
     * each summing over all rows (B·T) itself, so no sum is split and no atomics are needed; the
     * thread of (o, 0) also sums the bias. The JVM splits output channels.
     */
    public static void backwardParams(float[] grads, int dwOff, int dbOff, float[] dout, float[] inp,
                                      int rows, int C, int OC, int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            for (@Parallel int c = 0; c < C; c++) {
                int o = offset + i;
                float sum = 0f;
                for (int r = 0; r < rows; r++) {
                    sum += dout[r * OC + o] * inp[r * C + c];
                }
                grads[dwOff + o * C + c] += sum;
                if (c == 0 && dbOff >= 0) {
                    float bias = 0f;
                    for (int r = 0; r < rows; r++) {
                        bias += dout[r * OC + o];
                    }
                    grads[dbOff + o] += bias;
                }
            }
        }
    }
}
