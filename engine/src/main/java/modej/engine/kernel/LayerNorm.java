package modej.engine.kernel;

/**
 * Layer normalisation over the last axis, GPT-2 style (biased variance, eps = 1e-5):
 * {@code out = (inp − mean) · rstd · weight + bias}, {@code rstd = 1 / sqrt(var + eps)}.
 *
 * <p>Shapes: inp (rows, C), weight (C) at {@code params[wOff…]}, bias (C) at {@code params[bOff…]},
 * out (rows, C); mean (rows) and rstd (rows) are written by forward for backward.
 */
public final class LayerNorm {

    private static final float EPS = 1e-5f;

    private LayerNorm() {
    }

    /** out (rows, C), mean (rows), rstd (rows) from inp (rows, C). Parallel over rows. */
    public static void forward(float[] out, float[] mean, float[] rstd, float[] inp, float[] params, int wOff,
                               int bOff, int C, int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int row = offset + i;
            int x = row * C;
            float m = 0f;
            for (int c = 0; c < C; c++) {
                m += inp[x + c];
            }
            m = m / C;
            float var = 0f;
            for (int c = 0; c < C; c++) {
                float d = inp[x + c] - m;
                var += d * d;
            }
            var = var / C;
            float s = (float) (1.0 / Math.sqrt(var + EPS));
            for (int c = 0; c < C; c++) {
                out[x + c] = (inp[x + c] - m) * s * params[wOff + c] + params[bOff + c];
            }
            mean[row] = m;
            rstd[row] = s;
        }
    }

    /**
     * dinp (rows, C) += rstd · (dnorm − mean(dnorm) − norm · mean(dnorm · norm)), where
     * norm = (inp − mean) · rstd and dnorm = dout · weight. Parallel over rows.
     */
    public static void backwardInput(float[] dinp, float[] dout, float[] inp, float[] mean, float[] rstd,
                                     float[] params, int wOff, int C, int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int row = offset + i;
            int x = row * C;
            float m = mean[row];
            float s = rstd[row];
            float dnormMean = 0f;
            float dnormNormMean = 0f;
            for (int c = 0; c < C; c++) {
                float norm = (inp[x + c] - m) * s;
                float dnorm = dout[x + c] * params[wOff + c];
                dnormMean += dnorm;
                dnormNormMean += dnorm * norm;
            }
            dnormMean = dnormMean / C;
            dnormNormMean = dnormNormMean / C;
            for (int c = 0; c < C; c++) {
                float norm = (inp[x + c] - m) * s;
                float dnorm = dout[x + c] * params[wOff + c];
                dinp[x + c] += (dnorm - dnormMean - norm * dnormNormMean) * s;
            }
        }
    }

    /**
     * dweight (C) += Σ_rows dout · norm; dbias (C) += Σ_rows dout. Parallel over channels, each
     * summing over all rows itself.
     */
    public static void backwardParams(float[] grads, int dwOff, int dbOff, float[] dout, float[] inp,
                                      float[] mean, float[] rstd, int rows, int C, int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int c = offset + i;
            float dw = 0f;
            float db = 0f;
            for (int r = 0; r < rows; r++) {
                float d = dout[r * C + c];
                dw += d * (inp[r * C + c] - mean[r]) * rstd[r];
                db += d;
            }
            grads[dwOff + c] += dw;
            grads[dbOff + c] += db;
        }
    }
}
