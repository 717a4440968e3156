package modej.engine.kernel;

import static modej.engine.kernel.GradCheck.assertClose;
import static modej.engine.kernel.GradCheck.dot;
import static modej.engine.kernel.GradCheck.numeric;
import static modej.engine.kernel.GradCheck.randomFloats;
import static modej.engine.kernel.GradCheck.toDouble;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class MatmulTest {

    static final int ROWS = 5, C = 7, OC = 6;
    // params slab: 3 floats of padding, weight (OC, C), bias (OC)
    static final int W_OFF = 3, B_OFF = W_OFF + OC * C, P_LEN = B_OFF + OC;

    /** Independent double-precision reference: out = inp · Wᵀ + b. */
    static double[] reference(double[] inp, double[] w, double[] b) {
        double[] out = new double[ROWS * OC];
        for (int r = 0; r < ROWS; r++) {
            for (int o = 0; o < OC; o++) {
                double s = b == null ? 0 : b[o];
                for (int c = 0; c < C; c++) {
                    s += inp[r * C + c] * w[o * C + c];
                }
                out[r * OC + o] = s;
            }
        }
        return out;
    }

    @Test
    void forwardMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(1);
        float[] inp = randomFloats(rnd, ROWS * C, 1);
        float[] params = randomFloats(rnd, P_LEN, 1);
        float[] out = new float[ROWS * OC];
        // two parts, as two workers would run them
        Matmul.forward(out, inp, params, W_OFF, B_OFF, C, OC, 0, 2);
        Matmul.forward(out, inp, params, W_OFF, B_OFF, C, OC, 2, ROWS - 2);
        double[] expected = reference(toDouble(inp), toDouble(params, W_OFF, OC * C), toDouble(params, B_OFF, OC));
        assertClose("out", expected, out, 1e-5, 1e-5);

        Matmul.forward(out, inp, params, W_OFF, -1, C, OC, 0, ROWS);
        assertClose("out without bias", reference(toDouble(inp), toDouble(params, W_OFF, OC * C), null), out, 1e-5, 1e-5);
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        SplittableRandom rnd = new SplittableRandom(2);
        float[] inp = randomFloats(rnd, ROWS * C, 1);
        float[] params = randomFloats(rnd, P_LEN, 1);
        float[] dout = randomFloats(rnd, ROWS * OC, 1);
        double[] r = toDouble(dout);
        double[] x = toDouble(inp), w = toDouble(params, W_OFF, OC * C), b = toDouble(params, B_OFF, OC);

        // gradients accumulate: start from non-zero values and subtract them afterwards
        float[] dinp = randomFloats(rnd, ROWS * C, 1);
        float[] dinp0 = dinp.clone();
        float[] grads = randomFloats(rnd, P_LEN, 1);
        float[] grads0 = grads.clone();
        Matmul.backwardInput(dinp, dout, params, W_OFF, C, OC, 0, 3);
        Matmul.backwardInput(dinp, dout, params, W_OFF, C, OC, 3, ROWS - 3);
        Matmul.backwardParams(grads, W_OFF, B_OFF, dout, inp, ROWS, C, OC, 0, OC);
        for (int i = 0; i < dinp.length; i++) {
            dinp[i] -= dinp0[i];
        }
        for (int i = 0; i < grads.length; i++) {
            grads[i] -= grads0[i];
        }

        assertClose("dinp", numeric(v -> dot(r, reference(v, w, b)), x, 1e-4), dinp, 1e-4, 1e-4);
        assertClose("dweight", numeric(v -> dot(r, reference(x, v, b)), w, 1e-4), grads, W_OFF, 1e-4, 1e-4);
        assertClose("dbias", numeric(v -> dot(r, reference(x, w, v)), b, 1e-4), grads, B_OFF, 1e-4, 1e-4);
    }

    /** out0 + inp · Wᵀ: the reference of forwardAccumulate. */
    static double[] referenceAccumulate(double[] out0, double[] inp, double[] w) {
        double[] out = reference(inp, w, null);
        for (int i = 0; i < out.length; i++) {
            out[i] += out0[i];
        }
        return out;
    }

    @Test
    void forwardAccumulateAddsOntoOut() {
        SplittableRandom rnd = new SplittableRandom(3);
        float[] inp = randomFloats(rnd, ROWS * C, 1);
        float[] params = randomFloats(rnd, P_LEN, 1);
        float[] out = randomFloats(rnd, ROWS * OC, 1);
        double[] out0 = toDouble(out);
        Matmul.forwardAccumulate(out, inp, params, W_OFF, C, OC, 0, 2);
        Matmul.forwardAccumulate(out, inp, params, W_OFF, C, OC, 2, ROWS - 2);
        assertClose("out", referenceAccumulate(out0, toDouble(inp), toDouble(params, W_OFF, OC * C)), out, 1e-5, 1e-5);
    }

    /** The backward of forwardAccumulate: backwardInput, and backwardParams without bias. */
    @Test
    void forwardAccumulateBackwardMatchesFiniteDifferences() {
        SplittableRandom rnd = new SplittableRandom(4);
        float[] inp = randomFloats(rnd, ROWS * C, 1);
        float[] params = randomFloats(rnd, P_LEN, 1);
        float[] dout = randomFloats(rnd, ROWS * OC, 1);
        double[] r = toDouble(dout);
        double[] x = toDouble(inp), w = toDouble(params, W_OFF, OC * C);
        double[] out0 = toDouble(randomFloats(rnd, ROWS * OC, 1));

        float[] dinp = randomFloats(rnd, ROWS * C, 1);
        float[] dinp0 = dinp.clone();
        float[] grads = randomFloats(rnd, P_LEN, 1);
        float[] grads0 = grads.clone();
        Matmul.backwardInput(dinp, dout, params, W_OFF, C, OC, 0, 1);
        Matmul.backwardInput(dinp, dout, params, W_OFF, C, OC, 1, ROWS - 1);
        Matmul.backwardParams(grads, W_OFF, -1, dout, inp, ROWS, C, OC, 0, 4);
        Matmul.backwardParams(grads, W_OFF, -1, dout, inp, ROWS, C, OC, 4, OC - 4);
        for (int i = 0; i < dinp.length; i++) {
            dinp[i] -= dinp0[i];
        }
        for (int i = 0; i < grads.length; i++) {
            grads[i] -= grads0[i];
        }
        assertClose("dinp", numeric(v -> dot(r, referenceAccumulate(out0, v, w)), x, 1e-4), dinp, 1e-4, 1e-4);
        assertClose("dweight", numeric(v -> dot(r, referenceAccumulate(out0, x, v)), w, 1e-4), grads, W_OFF,
                1e-4, 1e-4);
        assertClose("no dbias", new double[OC], grads, B_OFF, 0, 0);
        assertClose("dout passes to out0", numeric(v -> dot(r, referenceAccumulate(v, x, w)), out0, 1e-4), dout,
                1e-6, 1e-6);
    }
}
