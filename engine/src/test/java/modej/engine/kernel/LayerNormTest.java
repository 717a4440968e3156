package modej.engine.kernel;

import static modej.engine.kernel.GradCheck.assertClose;
import static modej.engine.kernel.GradCheck.dot;
import static modej.engine.kernel.GradCheck.numeric;
import static modej.engine.kernel.GradCheck.randomFloats;
import static modej.engine.kernel.GradCheck.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class LayerNormTest {

    static final int ROWS = 5, C = 8;
    static final double EPS = 1e-5;
    // params slab: 3 floats of padding, weight (C), 2 floats of padding, bias (C), 1 float of padding
    static final int W_OFF = 3, B_OFF = W_OFF + C + 2, P_LEN = B_OFF + C + 1;

    /** Independent double-precision reference: out (ROWS, C), then mean (ROWS), then rstd (ROWS). */
    static double[] reference(double[] inp, double[] params) {
        double[] res = new double[ROWS * C + 2 * ROWS];
        for (int r = 0; r < ROWS; r++) {
            double mean = 0;
            for (int c = 0; c < C; c++) {
                mean += inp[r * C + c];
            }
            mean /= C;
            double var = 0;
            for (int c = 0; c < C; c++) {
                var += (inp[r * C + c] - mean) * (inp[r * C + c] - mean);
            }
            var /= C;
            double rstd = 1 / Math.sqrt(var + EPS);
            for (int c = 0; c < C; c++) {
                res[r * C + c] = (inp[r * C + c] - mean) * rstd * params[W_OFF + c] + params[B_OFF + c];
            }
            res[ROWS * C + r] = mean;
            res[ROWS * C + ROWS + r] = rstd;
        }
        return res;
    }

    static double[] referenceOut(double[] inp, double[] params) {
        return Arrays.copyOf(reference(inp, params), ROWS * C);
    }

    /** Rows with different means and spreads, so that mean and rstd matter. */
    static float[] input(SplittableRandom rnd) {
        float[] inp = randomFloats(rnd, ROWS * C, 1);
        for (int r = 0; r < ROWS; r++) {
            for (int c = 0; c < C; c++) {
                inp[r * C + c] = inp[r * C + c] * (0.5f + r) + (r - 2) * 0.7f;
            }
        }
        return inp;
    }

    @Test
    void forwardMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(21);
        float[] inp = input(rnd);
        float[] params = randomFloats(rnd, P_LEN, 1);
        float[] out = new float[ROWS * C], mean = new float[ROWS], rstd = new float[ROWS];
        Arrays.fill(out, Float.NaN); // forward writes every element of each output
        Arrays.fill(mean, Float.NaN);
        Arrays.fill(rstd, Float.NaN);
        LayerNorm.forward(out, mean, rstd, inp, params, W_OFF, B_OFF, C, 0, 2);
        LayerNorm.forward(out, mean, rstd, inp, params, W_OFF, B_OFF, C, 2, ROWS - 2);

        double[] expected = reference(toDouble(inp), toDouble(params));
        assertClose("out", Arrays.copyOfRange(expected, 0, ROWS * C), out, 1e-5, 1e-5);
        assertClose("mean", Arrays.copyOfRange(expected, ROWS * C, ROWS * C + ROWS), mean, 1e-6, 1e-6);
        assertClose("rstd", Arrays.copyOfRange(expected, ROWS * C + ROWS, ROWS * C + 2 * ROWS), rstd, 1e-6, 1e-5);
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        SplittableRandom rnd = new SplittableRandom(22);
        float[] inp = input(rnd);
        float[] params = randomFloats(rnd, P_LEN, 1);
        float[] dout = randomFloats(rnd, ROWS * C, 1);
        double[] r = toDouble(dout);
        double[] x = toDouble(inp), p = toDouble(params);

        float[] out = new float[ROWS * C], mean = new float[ROWS], rstd = new float[ROWS];
        LayerNorm.forward(out, mean, rstd, inp, params, W_OFF, B_OFF, C, 0, ROWS);

        // gradients accumulate: start from non-zero values and subtract them afterwards
        float[] dinp = randomFloats(rnd, ROWS * C, 1);
        float[] dinp0 = dinp.clone();
        float[] grads = randomFloats(rnd, P_LEN, 1);
        float[] grads0 = grads.clone();
        LayerNorm.backwardInput(dinp, dout, inp, mean, rstd, params, W_OFF, C, 0, 3);
        LayerNorm.backwardInput(dinp, dout, inp, mean, rstd, params, W_OFF, C, 3, ROWS - 3);
        LayerNorm.backwardParams(grads, W_OFF, B_OFF, dout, inp, mean, rstd, ROWS, C, 0, 5);
        LayerNorm.backwardParams(grads, W_OFF, B_OFF, dout, inp, mean, rstd, ROWS, C, 5, C - 5);
        for (int i = 0; i < dinp.length; i++) {
            dinp[i] -= dinp0[i];
        }
        for (int i = 0; i < grads.length; i++) {
            grads[i] -= grads0[i];
        }

        assertClose("dinp", numeric(v -> dot(r, referenceOut(v, p)), x, 1e-4), dinp, 1e-4, 1e-4);
        // over the whole slab: the padding must get exactly nothing
        double[] dparams = numeric(v -> dot(r, referenceOut(x, v)), p, 1e-4);
        assertClose("dparams", dparams, grads, 1e-4, 1e-4);
        for (int i : new int[] {0, 1, 2, W_OFF + C, W_OFF + C + 1, P_LEN - 1}) {
            assertEquals(0f, grads[i], "padding dparams[" + i + "]");
        }
    }
}
