package modej.engine.jvm;

import static modej.engine.jvm.MatmulVectorTest.runSplit;
import static modej.engine.jvm.MatmulVectorTest.splits;
import static modej.engine.kernel.GradCheck.randomFloats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import modej.engine.kernel.LayerNorm;

/**
 * {@link LayerNormVector} against an independent double-precision reference and the portable
 * {@link LayerNorm}, on awkward shapes, and bit-identical for every split of its parallel range.
 *
 * <p>Tolerance (u = 2⁻²⁴). Only the order of the row sums differs from the portable kernel. A
 * float sum of C terms is within (C − 1)·u·Σ|terms| of the exact sum in any order, so
 * |δmean| ≤ C·u·mean|x| and |δrstd| ≤ (C + 8)·u·rstd. Forward: each output is within
 * (C + 8)·u·(|w|·rstd·mean|x| + |w·norm| + |b|) of the reference; backwardInput: within
 * (C + 8)·u·rstd·(mean|dnorm| + |norm|·mean|dnorm·norm| + |dnorm| + |mean dnorm| + |norm·mean(dnorm·norm)|)
 * + 2u·|result|. Both the fast path and the portable kernel must meet these bounds.
 * backwardParams sums over rows per channel in the portable order: bit-identical.
 */
class LayerNormVectorTest {

    static final double U = Math.ulp(1.0f) / 2;
    static final float EPS = 1e-5f;

    /** rows, C: one row, C below, at and off multiples of 8 and 16, the GPT widths. */
    static final int[][] SHAPES = {{1, 1}, {1, 7}, {3, 8}, {2, 16}, {5, 45}, {4, 100}, {17, 128}, {9, 384}, {1, 385}};

    /** Rows of spread 1 around an offset of up to ±3 per row (the mean matters). */
    static float[] input(SplittableRandom rnd, int rows, int C) {
        float[] x = randomFloats(rnd, rows * C, 1);
        for (int r = 0; r < rows; r++) {
            float shift = (float) ((rnd.nextDouble() * 2 - 1) * 3);
            for (int c = 0; c < C; c++) {
                x[r * C + c] += shift;
            }
        }
        return x;
    }

    static void check(String what, int i, double ref, double bound, float actual) {
        if (!(Math.abs(actual - ref) <= bound)) {
            fail(what + "[" + i + "]: expected " + ref + " ± " + bound + " but was " + actual);
        }
    }

    /** out, mean, rstd against the double reference, with the bounds of the class comment. */
    static void checkForward(String what, float[] inp, float[] params, int wOff, int bOff, int rows, int C,
                             float[] out, float[] mean, float[] rstd) {
        for (int r = 0; r < rows; r++) {
            double m = 0, abs = 0;
            for (int c = 0; c < C; c++) {
                m += inp[r * C + c];
                abs += Math.abs(inp[r * C + c]);
            }
            m /= C;
            abs /= C;
            double var = 0;
            for (int c = 0; c < C; c++) {
                var += (inp[r * C + c] - m) * (inp[r * C + c] - m);
            }
            double s = 1 / Math.sqrt(var / C + EPS);
            check(what + " mean", r, m, C * U * abs, mean[r]);
            check(what + " rstd", r, s, (C + 8) * U * s, rstd[r]);
            for (int c = 0; c < C; c++) {
                double w = params[wOff + c], b = params[bOff + c], norm = (inp[r * C + c] - m) * s;
                double bound = (C + 8) * U * (Math.abs(w) * s * abs + Math.abs(w * norm) + Math.abs(b));
                check(what + " out", r * C + c, norm * w + b, bound, out[r * C + c]);
            }
        }
    }

    @Test
    void forwardMatchesReferenceAndPortableAndIsSplitInvariant() {
        SplittableRandom rnd = new SplittableRandom(21);
        for (int[] s : SHAPES) {
            int rows = s[0], C = s[1], wOff = 2, bOff = wOff + C + 1;
            float[] inp = input(rnd, rows, C), params = randomFloats(rnd, bOff + C + 2, 1);
            String what = "forward " + rows + "x" + C;
            float[] pOut = new float[rows * C], pMean = new float[rows], pRstd = new float[rows];
            LayerNorm.forward(pOut, pMean, pRstd, inp, params, wOff, bOff, C, 0, rows);
            checkForward(what + " portable", inp, params, wOff, bOff, rows, C, pOut, pMean, pRstd);
            float[][] first = null;
            for (int[] cuts : splits(rows)) {
                float[] out = randomFloats(rnd, rows * C, 5), mean = randomFloats(rnd, rows, 5),
                        rstd = randomFloats(rnd, rows, 5);   // must be overwritten
                runSplit(cuts, (o, n) -> LayerNormVector.forward(out, mean, rstd, inp, params, wOff, bOff, C, o, n));
                if (first == null) {
                    checkForward(what, inp, params, wOff, bOff, rows, C, out, mean, rstd);
                    first = new float[][] {out, mean, rstd};
                } else {
                    String split = what + " split " + Arrays.toString(cuts);
                    assertArrayEquals(first[0], out, split);
                    assertArrayEquals(first[1], mean, split);
                    assertArrayEquals(first[2], rstd, split);
                }
            }
        }
    }

    /** dinp0 + the input gradient, against the double reference from the same mean and rstd. */
    static void checkBackwardInput(String what, float[] dinp0, float[] dout, float[] inp, float[] mean, float[] rstd,
                                   float[] params, int wOff, int rows, int C, float[] dinp) {
        for (int r = 0; r < rows; r++) {
            double m = mean[r], s = rstd[r];
            double dm = 0, dnm = 0, absD = 0, absDN = 0;
            for (int c = 0; c < C; c++) {
                double norm = (inp[r * C + c] - m) * s, dnorm = (double) dout[r * C + c] * params[wOff + c];
                dm += dnorm;
                dnm += dnorm * norm;
                absD += Math.abs(dnorm);
                absDN += Math.abs(dnorm * norm);
            }
            dm /= C;
            dnm /= C;
            absD /= C;
            absDN /= C;
            for (int c = 0; c < C; c++) {
                int i = r * C + c;
                double norm = (inp[i] - m) * s, dnorm = (double) dout[i] * params[wOff + c];
                double ref = dinp0[i] + (dnorm - dm - norm * dnm) * s;
                double bound = (C + 8) * U * s * (absD + Math.abs(norm) * absDN + Math.abs(dnorm) + Math.abs(dm)
                        + Math.abs(norm * dnm)) + 2 * U * Math.abs(ref);
                check(what, i, ref, bound, dinp[i]);
            }
        }
    }

    @Test
    void backwardInputAccumulatesMatchesReferenceAndPortableAndIsSplitInvariant() {
        SplittableRandom rnd = new SplittableRandom(22);
        for (int[] s : SHAPES) {
            int rows = s[0], C = s[1], wOff = 3;
            float[] inp = input(rnd, rows, C), params = randomFloats(rnd, wOff + C + 1, 1);
            float[] mean = new float[rows], rstd = new float[rows], out = new float[rows * C];
            LayerNorm.forward(out, mean, rstd, inp, params, wOff, wOff, C, 0, rows);
            float[] dout = randomFloats(rnd, rows * C, 1), dinp0 = randomFloats(rnd, rows * C, 1);
            String what = "backwardInput " + rows + "x" + C;
            float[] portable = dinp0.clone();
            LayerNorm.backwardInput(portable, dout, inp, mean, rstd, params, wOff, C, 0, rows);
            checkBackwardInput(what + " portable", dinp0, dout, inp, mean, rstd, params, wOff, rows, C, portable);
            float[] first = null;
            for (int[] cuts : splits(rows)) {
                float[] dinp = dinp0.clone();
                runSplit(cuts, (o, n) -> LayerNormVector.backwardInput(dinp, dout, inp, mean, rstd, params, wOff, C, o, n));
                if (first == null) {
                    checkBackwardInput(what, dinp0, dout, inp, mean, rstd, params, wOff, rows, C, dinp);
                    first = dinp;
                } else {
                    assertArrayEquals(first, dinp, what + " split " + Arrays.toString(cuts));
                }
            }
        }
    }

    @Test
    void backwardParamsAccumulatesBitIdenticalToPortable() {
        SplittableRandom rnd = new SplittableRandom(23);
        int[][] shapes = {{1, 1}, {3, 7}, {5, 45}, {2, 64}, {17, 128}, {6, 384}, {4, 100}};
        for (int[] s : shapes) {
            int rows = s[0], C = s[1], dwOff = 1, dbOff = dwOff + C + 2;
            float[] inp = input(rnd, rows, C), dout = randomFloats(rnd, rows * C, 1);
            float[] mean = new float[rows], rstd = new float[rows];
            LayerNorm.forward(new float[rows * C], mean, rstd, inp, randomFloats(rnd, C, 1), 0, 0, C, 0, rows);
            float[] grads0 = randomFloats(rnd, dbOff + C + 3, 1);
            float[] want = grads0.clone();
            LayerNorm.backwardParams(want, dwOff, dbOff, dout, inp, mean, rstd, rows, C, 0, C);
            for (int[] cuts : splits(C)) {
                float[] grads = grads0.clone();
                runSplit(cuts, (o, n) -> LayerNormVector.backwardParams(grads, dwOff, dbOff, dout, inp, mean, rstd,
                        rows, C, o, n));
                assertArrayEquals(want, grads, "backwardParams " + rows + "x" + C + " split " + Arrays.toString(cuts));
            }
        }
    }
}
