package modej.engine.kernel;

import static modej.engine.kernel.GradCheck.assertClose;
import static modej.engine.kernel.GradCheck.dot;
import static modej.engine.kernel.GradCheck.numeric;
import static modej.engine.kernel.GradCheck.randomFloats;
import static modej.engine.kernel.GradCheck.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * {@link RoutedMatmul} against an independent double-precision reference of the routed product
 * (rows whose routing weight is 0 give 0), its backward against finite differences of that
 * reference, and unrouted rows left exactly as they were.
 */
class RoutedMatmulTest {

    static final int ROWS = 7, C = 5, OC = 6, E1 = 3, SOURCE = 1;
    // params slab: 2 floats of padding, weight (OC, C), bias (OC)
    static final int W_OFF = 2, B_OFF = W_OFF + OC * C, P_LEN = B_OFF + OC;

    /** Routing weights (ROWS, E1) with this expert's column 0 on rows 1, 4 and 5. */
    static float[] weights(SplittableRandom rnd) {
        float[] w = randomFloats(rnd, ROWS * E1, 1);
        for (int r : new int[]{1, 4, 5}) {
            w[r * E1 + SOURCE] = 0f;
        }
        w[0] = 0f;   // another source's zero changes nothing here
        return w;
    }

    static boolean routed(float[] weights, int r) {
        return weights[r * E1 + SOURCE] != 0f;
    }

    /** out = routed ? inp · Wᵀ + b : 0, in double. */
    static double[] reference(double[] inp, double[] w, double[] b, float[] weights) {
        double[] out = new double[ROWS * OC];
        for (int r = 0; r < ROWS; r++) {
            if (!routed(weights, r)) {
                continue;
            }
            for (int o = 0; o < OC; o++) {
                double s = b[o];
                for (int c = 0; c < C; c++) {
                    s += inp[r * C + c] * w[o * C + c];
                }
                out[r * OC + o] = s;
            }
        }
        return out;
    }

    @Test
    void forwardComputesRoutedRowsAndZeroesTheOthers() {
        SplittableRandom rnd = new SplittableRandom(1);
        float[] inp = randomFloats(rnd, ROWS * C, 1), params = randomFloats(rnd, P_LEN, 1), weights = weights(rnd);
        float[] out = randomFloats(rnd, ROWS * OC, 5);   // stale values must be overwritten
        RoutedMatmul.forward(out, inp, params, W_OFF, B_OFF, weights, SOURCE, E1, C, OC, 0, 3);
        RoutedMatmul.forward(out, inp, params, W_OFF, B_OFF, weights, SOURCE, E1, C, OC, 3, ROWS - 3);
        double[] expected = reference(toDouble(inp), toDouble(params, W_OFF, OC * C), toDouble(params, B_OFF, OC), weights);
        assertClose("out", expected, out, 1e-5, 1e-5);
        for (int r : new int[]{1, 4, 5}) {
            for (int o = 0; o < OC; o++) {
                assertEquals(0f, out[r * OC + o], "unrouted row " + r);
            }
        }
    }

    @Test
    void backwardMatchesFiniteDifferencesAndSkipsUnroutedRows() {
        SplittableRandom rnd = new SplittableRandom(2);
        float[] inp = randomFloats(rnd, ROWS * C, 1), params = randomFloats(rnd, P_LEN, 1), weights = weights(rnd);
        float[] dout = randomFloats(rnd, ROWS * OC, 1);
        double[] r = toDouble(dout), x = toDouble(inp), w = toDouble(params, W_OFF, OC * C), b = toDouble(params, B_OFF, OC);

        // gradients accumulate: start from random values and subtract them afterwards
        float[] dinp0 = randomFloats(rnd, ROWS * C, 1), dinp = dinp0.clone();
        RoutedMatmul.backwardInput(dinp, dout, params, W_OFF, weights, SOURCE, E1, C, OC, 0, 4);
        RoutedMatmul.backwardInput(dinp, dout, params, W_OFF, weights, SOURCE, E1, C, OC, 4, ROWS - 4);
        double[] dx = numeric(v -> dot(r, reference(v, w, b, weights)), x.clone(), 1e-3);
        float[] got = new float[dinp.length];
        for (int i = 0; i < got.length; i++) {
            got[i] = dinp[i] - dinp0[i];
        }
        assertClose("dinp", dx, got, 1e-3, 1e-3);
        for (int row : new int[]{1, 4, 5}) {
            for (int c = 0; c < C; c++) {
                assertEquals(dinp0[row * C + c], dinp[row * C + c], "unrouted row " + row + " is left as it was");
            }
        }

        float[] grads0 = randomFloats(rnd, P_LEN, 1), grads = grads0.clone();
        RoutedMatmul.backwardParams(grads, W_OFF, B_OFF, dout, inp, weights, SOURCE, E1, ROWS, C, OC, 0, 2);
        RoutedMatmul.backwardParams(grads, W_OFF, B_OFF, dout, inp, weights, SOURCE, E1, ROWS, C, OC, 2, OC - 2);
        double[] dw = numeric(v -> dot(r, reference(x, v, b, weights)), w.clone(), 1e-3);
        double[] db = numeric(v -> dot(r, reference(x, w, v, weights)), b.clone(), 1e-3);
        float[] gw = new float[OC * C], gb = new float[OC];
        for (int i = 0; i < gw.length; i++) {
            gw[i] = grads[W_OFF + i] - grads0[W_OFF + i];
        }
        for (int i = 0; i < OC; i++) {
            gb[i] = grads[B_OFF + i] - grads0[B_OFF + i];
        }
        assertClose("dweight", dw, gw, 1e-3, 1e-3);
        assertClose("dbias", db, gb, 1e-3, 1e-3);
        assertEquals(grads0[0], grads[0], "padding untouched");
    }

    /** With every row routed, the routed kernels are Matmul's, bit for bit. */
    @Test
    void everyRowRoutedEqualsMatmul() {
        SplittableRandom rnd = new SplittableRandom(3);
        float[] inp = randomFloats(rnd, ROWS * C, 1), params = randomFloats(rnd, P_LEN, 1), dout = randomFloats(rnd, ROWS * OC, 1);
        float[] weights = new float[ROWS * E1];
        java.util.Arrays.fill(weights, 0.5f);
        float[] a = new float[ROWS * OC], b = new float[ROWS * OC];
        RoutedMatmul.forward(a, inp, params, W_OFF, B_OFF, weights, SOURCE, E1, C, OC, 0, ROWS);
        Matmul.forward(b, inp, params, W_OFF, B_OFF, C, OC, 0, ROWS);
        org.junit.jupiter.api.Assertions.assertArrayEquals(b, a);
        float[] da = new float[ROWS * C], db = new float[ROWS * C];
        RoutedMatmul.backwardInput(da, dout, params, W_OFF, weights, SOURCE, E1, C, OC, 0, ROWS);
        Matmul.backwardInput(db, dout, params, W_OFF, C, OC, 0, ROWS);
        org.junit.jupiter.api.Assertions.assertArrayEquals(db, da);
        float[] ga = new float[P_LEN], gb = new float[P_LEN];
        RoutedMatmul.backwardParams(ga, W_OFF, B_OFF, dout, inp, weights, SOURCE, E1, ROWS, C, OC, 0, OC);
        Matmul.backwardParams(gb, W_OFF, B_OFF, dout, inp, ROWS, C, OC, 0, OC);
        org.junit.jupiter.api.Assertions.assertArrayEquals(gb, ga);
    }
}
