package modej.engine.jvm;

import static modej.engine.kernel.GradCheck.randomFloats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import modej.engine.kernel.RoutedMatmul;

/**
 * {@link RoutedMatmulVector} against the portable {@link RoutedMatmul} (within float rounding,
 * unrouted rows exactly as the portable kernel leaves them), against {@link MatmulVector} on the
 * routed rows bit for bit, and bit-identical for every split of its parallel range.
 */
class RoutedMatmulVectorTest {

    /** rows, C, OC: small, odd, and over one register block. */
    static final int[][] SHAPES = {{1, 3, 2}, {7, 5, 6}, {13, 17, 19}, {40, 33, 70}};
    static final int E1 = 3, SOURCE = 2;

    static float[] weights(SplittableRandom rnd, int rows) {
        float[] w = new float[rows * E1];
        for (int i = 0; i < w.length; i++) {
            w[i] = rnd.nextInt(3) == 0 ? 0f : (float) rnd.nextDouble();
        }
        return w;
    }

    static void assertNear(String what, float[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            double tol = 1e-4 * (1 + Math.abs(expected[i]));
            assertTrue(Math.abs(expected[i] - actual[i]) <= tol, what + "[" + i + "]: " + expected[i] + " vs " + actual[i]);
        }
    }

    @Test
    void matchesThePortableKernelOnEveryShapeAndSplit() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int[] s : SHAPES) {
            int rows = s[0], C = s[1], OC = s[2], wOff = 3, bOff = wOff + OC * C, len = bOff + OC;
            float[] inp = randomFloats(rnd, rows * C, 1), p = randomFloats(rnd, len, 1), w = weights(rnd, rows);
            float[] dout = randomFloats(rnd, rows * OC, 1);
            for (int r = 0; r < rows; r++) {
                if (w[r * E1 + SOURCE] == 0f) {
                    java.util.Arrays.fill(dout, r * OC, (r + 1) * OC, 0f);   // as the mix's backward leaves them
                }
            }
            String at = rows + "x" + C + "x" + OC;
            float[] portable = new float[rows * OC], vector = randomFloats(rnd, rows * OC, 1);
            RoutedMatmul.forward(portable, inp, p, wOff, bOff, w, SOURCE, E1, C, OC, 0, rows);
            RoutedMatmulVector.forward(vector, inp, p, wOff, bOff, w, SOURCE, E1, C, OC, 0, rows);
            assertNear("forward " + at, portable, vector);
            float[] dense = new float[rows * OC];
            MatmulVector.forward(dense, inp, p, wOff, bOff, C, OC, 0, rows);
            for (int r = 0; r < rows; r++) {
                boolean routed = w[r * E1 + SOURCE] != 0f;
                for (int o = 0; o < OC; o++) {
                    assertEquals(routed ? dense[r * OC + o] : 0f, vector[r * OC + o], "forward " + at + " row " + r);
                }
            }
            float[] split = new float[rows * OC];
            int cut = rows / 3;
            RoutedMatmulVector.forward(split, inp, p, wOff, bOff, w, SOURCE, E1, C, OC, 0, cut);
            RoutedMatmulVector.forward(split, inp, p, wOff, bOff, w, SOURCE, E1, C, OC, cut, rows - cut);
            assertArrayEquals(vector, split, "forward split " + at);

            float[] d0 = randomFloats(rnd, rows * C, 1), dp = d0.clone(), dv = d0.clone(), ds = d0.clone();
            RoutedMatmul.backwardInput(dp, dout, p, wOff, w, SOURCE, E1, C, OC, 0, rows);
            RoutedMatmulVector.backwardInput(dv, dout, p, wOff, w, SOURCE, E1, C, OC, 0, rows);
            assertNear("backwardInput " + at, dp, dv);
            for (int r = 0; r < rows; r++) {
                if (w[r * E1 + SOURCE] == 0f) {
                    for (int c = 0; c < C; c++) {
                        assertEquals(d0[r * C + c], dv[r * C + c], "unrouted row left as it was");
                    }
                }
            }
            RoutedMatmulVector.backwardInput(ds, dout, p, wOff, w, SOURCE, E1, C, OC, 0, cut);
            RoutedMatmulVector.backwardInput(ds, dout, p, wOff, w, SOURCE, E1, C, OC, cut, rows - cut);
            assertArrayEquals(dv, ds, "backwardInput split " + at);

            float[] g0 = randomFloats(rnd, len, 1), gp = g0.clone(), gv = g0.clone(), gs = g0.clone(), gd = g0.clone();
            RoutedMatmul.backwardParams(gp, wOff, bOff, dout, inp, w, SOURCE, E1, rows, C, OC, 0, OC);
            RoutedMatmulVector.backwardParams(gv, wOff, bOff, dout, inp, w, SOURCE, E1, rows, C, OC, 0, OC);
            assertNear("backwardParams " + at, gp, gv);
            int oc = OC / 2;
            RoutedMatmulVector.backwardParams(gs, wOff, bOff, dout, inp, w, SOURCE, E1, rows, C, OC, 0, oc);
            RoutedMatmulVector.backwardParams(gs, wOff, bOff, dout, inp, w, SOURCE, E1, rows, C, OC, oc, OC - oc);
            assertArrayEquals(gv, gs, "backwardParams split " + at);
            MatmulVector.backwardParams(gd, wOff, bOff, dout, inp, rows, C, OC, 0, OC);
            assertNear("backwardParams vs dense " + at, gd, gv);
        }
    }
}
