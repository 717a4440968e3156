package modej.engine.jvm;

import static modej.engine.graph.Arg.i32;
import static modej.engine.kernel.GradCheck.randomFloats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import modej.engine.device.Executable;
import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.kernel.Matmul;

/**
 * {@link MatmulVector} against an independent double-precision reference and the portable
 * {@link Matmul}, on awkward shapes, and bit-identical for every split of its parallel range.
 *
 * <p>Tolerance: a float chain of K fused multiply-adds started from x0 is within
 * {@code (K + 1)·u·(|x0| + Σ|a_k·b_k|)} of the exact sum, u = 2⁻²⁴. The fast path must stay within
 * that bound of the double reference; the portable kernel (K adds and K multiplies, then one more
 * add for +=) within {@code (2K + 2)·u·(…)}, so the two within the sum of both bounds.
 */
class MatmulVectorTest {

    static final double U = Math.ulp(1.0f) / 2;   // 2⁻²⁴

    /** rows, C, OC: below one register block, not multiples of 6 / 8 / 16, and over KC and NC. */
    static final int[][] SHAPES = {
            {1, 1, 1}, {2, 3, 1}, {1, 5, 17}, {5, 7, 6}, {6, 16, 16}, {13, 17, 19},
            {7, 33, 40}, {31, 9, 130}, {50, 400, 23}, {19, 800, 300}, {800, 20, 9},
    };

    // ---- independent double-precision references: value and magnitude (|x0| + Σ|terms|) ----

    /** out = inp · Wᵀ + b; mag the matching magnitudes. */
    static void refForward(float[] inp, float[] p, int wOff, int bOff, int rows, int C, int OC,
                           double[] ref, double[] mag) {
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < OC; o++) {
                double s = bOff >= 0 ? p[bOff + o] : 0, m = Math.abs(s);
                for (int c = 0; c < C; c++) {
                    double t = (double) inp[r * C + c] * p[wOff + o * C + c];
                    s += t;
                    m += Math.abs(t);
                }
                ref[r * OC + o] = s;
                mag[r * OC + o] = m;
            }
        }
    }

    /** dinp0 + dout · W. */
    static void refBackwardInput(float[] dinp0, float[] dout, float[] p, int wOff, int rows, int C, int OC,
                                 double[] ref, double[] mag) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < C; c++) {
                double s = dinp0[r * C + c], m = Math.abs(s);
                for (int o = 0; o < OC; o++) {
                    double t = (double) dout[r * OC + o] * p[wOff + o * C + c];
                    s += t;
                    m += Math.abs(t);
                }
                ref[r * C + c] = s;
                mag[r * C + c] = m;
            }
        }
    }

    /** grads0 + doutᵀ · inp at dwOff, grads0 + Σ_r dout at dbOff (when ≥ 0), grads0 elsewhere. */
    static void refBackwardParams(float[] grads0, int dwOff, int dbOff, float[] dout, float[] inp,
                                  int rows, int C, int OC, double[] ref, double[] mag) {
        for (int i = 0; i < grads0.length; i++) {
            ref[i] = grads0[i];
            mag[i] = Math.abs(grads0[i]);
        }
        for (int o = 0; o < OC; o++) {
            for (int c = 0; c < C; c++) {
                for (int r = 0; r < rows; r++) {
                    double t = (double) dout[r * OC + o] * inp[r * C + c];
                    ref[dwOff + o * C + c] += t;
                    mag[dwOff + o * C + c] += Math.abs(t);
                }
            }
            if (dbOff >= 0) {
                for (int r = 0; r < rows; r++) {
                    ref[dbOff + o] += dout[r * OC + o];
                    mag[dbOff + o] += Math.abs(dout[r * OC + o]);
                }
            }
        }
    }

    static void assertWithin(String what, double[] ref, double[] mag, float[] actual, double perTerm) {
        for (int i = 0; i < ref.length; i++) {
            double bound = perTerm * mag[i] + Double.MIN_NORMAL;
            if (!(Math.abs(actual[i] - ref[i]) <= bound)) {
                fail(what + "[" + i + "]: expected " + ref[i] + " ± " + bound + " but was " + actual[i]);
            }
        }
    }

    // ---- splits of a parallel range, as 1, 2 and 3 workers (and odd cuts) would run them ----

    interface Part {
        void run(int offset, int count);
    }

    /** Cut points for [0, work): whole; halves; thirds; and cuts at 1 and 5 (inside a 6-row block). */
    static int[][] splits(int work) {
        return new int[][] {
                {0, work},
                {0, work / 2, work},
                {0, work / 3, 2 * work / 3, work},
                {0, Math.min(1, work), Math.min(5, work), work},
        };
    }

    static void runSplit(int[] cuts, Part part) {
        for (int w = 0; w + 1 < cuts.length; w++) {
            if (cuts[w + 1] > cuts[w]) {
                part.run(cuts[w], cuts[w + 1] - cuts[w]);
            }
        }
    }

    // ---- tests ----

    @Test
    void forwardMatchesReferenceAndIsSplitInvariant() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int[] s : SHAPES) {
            int rows = s[0], C = s[1], OC = s[2];
            int wOff = 3, bOff = wOff + OC * C;
            float[] inp = randomFloats(rnd, rows * C, 1);
            float[] params = randomFloats(rnd, bOff + OC + 2, 1);
            for (int bias : new int[] {bOff, -1}) {
                String what = "forward " + rows + "x" + C + "x" + OC + (bias < 0 ? " no bias" : " bias");
                double[] ref = new double[rows * OC], mag = new double[rows * OC];
                refForward(inp, params, wOff, bias, rows, C, OC, ref, mag);
                float[] first = null;
                for (int[] cuts : splits(rows)) {
                    float[] out = randomFloats(rnd, rows * OC, 5);   // must be overwritten
                    runSplit(cuts, (o, n) -> MatmulVector.forward(out, inp, params, wOff, bias, C, OC, o, n));
                    if (first == null) {
                        assertWithin(what, ref, mag, out, (C + 1) * U);
                        float[] portable = new float[rows * OC];
                        Matmul.forward(portable, inp, params, wOff, bias, C, OC, 0, rows);
                        assertWithin(what + " portable", ref, mag, portable, (2 * C + 2) * U);
                        first = out;
                    } else {
                        assertArrayEquals(first, out, what + " split " + java.util.Arrays.toString(cuts));
                    }
                }
            }
        }
    }

    @Test
    void forwardAccumulateMatchesReferenceAndIsSplitInvariant() {
        SplittableRandom rnd = new SplittableRandom(15);
        for (int[] s : SHAPES) {
            int rows = s[0], C = s[1], OC = s[2];
            int wOff = 4;
            float[] inp = randomFloats(rnd, rows * C, 1);
            float[] params = randomFloats(rnd, wOff + OC * C + 3, 1);
            float[] out0 = randomFloats(rnd, rows * OC, 1);
            String what = "forwardAccumulate " + rows + "x" + C + "x" + OC;
            double[] ref = new double[rows * OC], mag = new double[rows * OC];
            refForward(inp, params, wOff, -1, rows, C, OC, ref, mag);
            for (int i = 0; i < ref.length; i++) {
                ref[i] += out0[i];
                mag[i] += Math.abs(out0[i]);
            }
            float[] first = null;
            for (int[] cuts : splits(rows)) {
                float[] out = out0.clone();
                runSplit(cuts, (o, n) -> MatmulVector.forwardAccumulate(out, inp, params, wOff, C, OC, o, n));
                if (first == null) {
                    assertWithin(what, ref, mag, out, (C + 1) * U);
                    float[] portable = out0.clone();
                    Matmul.forwardAccumulate(portable, inp, params, wOff, C, OC, 0, rows);
                    assertWithin(what + " portable", ref, mag, portable, (2 * C + 2) * U);
                    first = out;
                } else {
                    assertArrayEquals(first, out, what + " split " + java.util.Arrays.toString(cuts));
                }
            }
        }
    }

    @Test
    void backwardInputAccumulatesAndIsSplitInvariant() {
        SplittableRandom rnd = new SplittableRandom(12);
        for (int[] s : SHAPES) {
            int rows = s[0], C = s[1], OC = s[2];
            int wOff = 5;
            float[] dout = randomFloats(rnd, rows * OC, 1);
            float[] params = randomFloats(rnd, wOff + OC * C + 1, 1);
            float[] dinp0 = randomFloats(rnd, rows * C, 1);
            String what = "backwardInput " + rows + "x" + C + "x" + OC;
            double[] ref = new double[rows * C], mag = new double[rows * C];
            refBackwardInput(dinp0, dout, params, wOff, rows, C, OC, ref, mag);
            float[] first = null;
            for (int[] cuts : splits(rows)) {
                float[] dinp = dinp0.clone();
                runSplit(cuts, (o, n) -> MatmulVector.backwardInput(dinp, dout, params, wOff, C, OC, o, n));
                if (first == null) {
                    assertWithin(what, ref, mag, dinp, (OC + 1) * U);
                    first = dinp;
                } else {
                    assertArrayEquals(first, dinp, what + " split " + java.util.Arrays.toString(cuts));
                }
            }
        }
    }

    @Test
    void backwardParamsAccumulatesAndIsSplitInvariant() {
        SplittableRandom rnd = new SplittableRandom(13);
        for (int[] s : SHAPES) {
            int rows = s[0], C = s[1], OC = s[2];
            int dwOff = 2, dbOff = dwOff + OC * C;
            float[] dout = randomFloats(rnd, rows * OC, 1);
            float[] inp = randomFloats(rnd, rows * C, 1);
            float[] grads0 = randomFloats(rnd, dbOff + OC + 3, 1);
            for (int bias : new int[] {dbOff, -1}) {
                String what = "backwardParams " + rows + "x" + C + "x" + OC + (bias < 0 ? " no bias" : " bias");
                double[] ref = new double[grads0.length], mag = new double[grads0.length];
                refBackwardParams(grads0, dwOff, bias, dout, inp, rows, C, OC, ref, mag);
                float[] first = null;
                for (int[] cuts : splits(OC)) {
                    float[] grads = grads0.clone();
                    runSplit(cuts, (o, n) -> MatmulVector.backwardParams(grads, dwOff, bias, dout, inp, rows, C, OC, o, n));
                    if (first == null) {
                        assertWithin(what, ref, mag, grads, (rows + 1) * U);
                        first = grads;
                    } else {
                        assertArrayEquals(first, grads, what + " split " + java.util.Arrays.toString(cuts));
                    }
                }
            }
        }
    }

    /** A forward + backward graph through the backend: 1 vs 2 threads bit-identical, portable close. */
    @Test
    void throughBackendThreadCountDoesNotChangeBits() {
        int rows = 61, C = 45, OC = 70;
        int wOff = 0, bOff = OC * C;
        SplittableRandom rnd = new SplittableRandom(14);
        float[] inp0 = randomFloats(rnd, rows * C, 1);
        float[] params0 = randomFloats(rnd, bOff + OC, 1);
        float[] dout0 = randomFloats(rnd, rows * OC, 1);

        float[][] one = runGraph(new JvmBackend(1, true, false), inp0, params0, dout0, rows, C, OC, wOff, bOff);
        float[][] two = runGraph(new JvmBackend(2, true, false), inp0, params0, dout0, rows, C, OC, wOff, bOff);
        float[][] three = runGraph(new JvmBackend(3, true, false), inp0, params0, dout0, rows, C, OC, wOff, bOff);
        float[][] portable = runGraph(new JvmBackend(2, false, false), inp0, params0, dout0, rows, C, OC, wOff, bOff);
        String[] names = {"out", "dinp", "grads"};
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(one[i], two[i], names[i] + " 1 vs 2 threads");
            assertArrayEquals(one[i], three[i], names[i] + " 1 vs 3 threads");
        }
        double[] ref = new double[rows * OC], mag = new double[rows * OC];
        refForward(inp0, params0, wOff, bOff, rows, C, OC, ref, mag);
        assertWithin("out", ref, mag, one[0], (C + 1) * U);
        assertWithin("out portable", ref, mag, portable[0], (2 * C + 2) * U);
        ref = new double[rows * C];
        mag = new double[rows * C];
        refBackwardInput(new float[rows * C], dout0, params0, wOff, rows, C, OC, ref, mag);
        assertWithin("dinp", ref, mag, one[1], (OC + 1) * U);
        assertWithin("dinp portable", ref, mag, portable[1], (2 * OC + 2) * U);
        ref = new double[params0.length];
        mag = new double[params0.length];
        refBackwardParams(new float[params0.length], wOff, bOff, dout0, inp0, rows, C, OC, ref, mag);
        assertWithin("grads", ref, mag, one[2], (rows + 1) * U);
        assertWithin("grads portable", ref, mag, portable[2], (2 * rows + 2) * U);
    }

    private static float[][] runGraph(JvmBackend backend, float[] inp0, float[] params0, float[] dout0,
                                      int rows, int C, int OC, int wOff, int bOff) {
        try (backend) {
            Buffer.F32 inp = new Buffer.F32("inp", inp0.clone());
            Buffer.F32 params = new Buffer.F32("params", params0.clone());
            Buffer.F32 out = new Buffer.F32("out", rows * OC);
            Buffer.F32 dout = new Buffer.F32("dout", dout0.clone());
            Buffer.F32 dinp = new Buffer.F32("dinp", rows * C);
            Buffer.F32 grads = new Buffer.F32("grads", params0.length);
            Graph g = new Graph("fc");
            g.task("fc.forward", rows, Matmul::forward, out, inp, params, i32(wOff), i32(bOff), i32(C), i32(OC));
            g.task("fc.backwardInput", rows, Matmul::backwardInput, dinp, dout, params, i32(wOff), i32(C), i32(OC));
            g.task("fc.backwardParams", OC, Matmul::backwardParams, grads, i32(wOff), i32(bOff), dout, inp,
                    i32(rows), i32(C), i32(OC));
            Executable e = backend.compile(g);
            e.run();
            backend.toHost(out, dinp, grads);
            return new float[][] {out.data(), dinp.data(), grads.data()};
        }
    }
}
