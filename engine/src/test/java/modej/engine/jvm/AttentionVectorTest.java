package modej.engine.jvm;

import static modej.engine.graph.Arg.i32;
import static modej.engine.kernel.GradCheck.numeric;
import static modej.engine.kernel.GradCheck.randomFloats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import modej.engine.device.Executable;
import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.kernel.Attention;

/**
 * {@link AttentionVector} against an independent double-precision reference written here from the
 * kernel contract, bit-identical for every split of its parallel range, and its two backward
 * kernels together against finite differences of the double forward.
 *
 * <p>Tolerances, with m the magnitude Σ|terms| of the reference sum and K its length:
 * att within {@code 1e-5·att + 1e-7} (scores carry ~hs·u·Σ|q·k| error, exp ~2 ulp); out, dq, dk,
 * dv within {@code 1e-5·sqrt(K)·m + 1e-6}; dpreatt within {@code 1e-5·sqrt(T)·scale·att·(|datt| + Σ|att·datt|) + 1e-6}.
 */
class AttentionVectorTest {

    /** B, T, C, NH: tiny, hs not a multiple of 8 or 16, T over one MC block and over KC. */
    static final int[][] SHAPES = {
            {1, 1, 4, 1}, {1, 5, 4, 2}, {2, 7, 12, 3}, {2, 13, 40, 2}, {1, 37, 48, 3},
            {2, 50, 64, 1}, {1, 61, 18, 1}, {1, 400, 8, 1},
    };

    // ---- independent double reference, straight from the contract ----

    static double[] refForward(float[] qkv, int B, int T, int C, int NH, double[] att) {
        int hs = C / NH;
        double scale = 1 / Math.sqrt(hs);
        double[] out = new double[B * T * C];
        for (int b = 0; b < B; b++) {
            for (int h = 0; h < NH; h++) {
                for (int t = 0; t < T; t++) {
                    int row = ((b * NH + h) * T + t) * T;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int t2 = 0; t2 <= t; t2++) {
                        double s = 0;
                        for (int i = 0; i < hs; i++) {
                            s += (double) qkv[(b * T + t) * 3 * C + h * hs + i] * qkv[(b * T + t2) * 3 * C + C + h * hs + i];
                        }
                        att[row + t2] = s * scale;
                        max = Math.max(max, att[row + t2]);
                    }
                    double sum = 0;
                    for (int t2 = 0; t2 <= t; t2++) {
                        att[row + t2] = Math.exp(att[row + t2] - max);
                        sum += att[row + t2];
                    }
                    for (int t2 = 0; t2 < T; t2++) {
                        att[row + t2] = t2 <= t ? att[row + t2] / sum : 0;
                    }
                    for (int i = 0; i < hs; i++) {
                        double o = 0;
                        for (int t2 = 0; t2 <= t; t2++) {
                            o += att[row + t2] * qkv[(b * T + t2) * 3 * C + 2 * C + h * hs + i];
                        }
                        out[(b * T + t) * C + h * hs + i] = o;
                    }
                }
            }
        }
        return out;
    }

    /** dpreatt from float inputs, and bounds as described in the class comment. */
    static double[] refBackwardScores(float[] dout, float[] att, float[] qkv, int B, int T, int C, int NH, double[] bound) {
        int hs = C / NH;
        double scale = 1 / Math.sqrt(hs);
        double[] dpre = new double[B * NH * T * T];
        double[] datt = new double[T], mag = new double[T];
        for (int b = 0; b < B; b++) {
            for (int h = 0; h < NH; h++) {
                for (int t = 0; t < T; t++) {
                    int row = ((b * NH + h) * T + t) * T;
                    double dot = 0, dotMag = 0;
                    for (int t2 = 0; t2 <= t; t2++) {
                        double s = 0, m = 0;
                        for (int i = 0; i < hs; i++) {
                            double x = (double) dout[(b * T + t) * C + h * hs + i] * qkv[(b * T + t2) * 3 * C + 2 * C + h * hs + i];
                            s += x;
                            m += Math.abs(x);
                        }
                        datt[t2] = s;
                        mag[t2] = m;
                        dot += att[row + t2] * s;
                        dotMag += Math.abs(att[row + t2]) * m;
                    }
                    for (int t2 = 0; t2 <= t; t2++) {
                        dpre[row + t2] = scale * att[row + t2] * (datt[t2] - dot);
                        bound[row + t2] = 1e-5 * Math.sqrt(T + hs) * scale * Math.abs(att[row + t2]) * (mag[t2] + dotMag) + 1e-6;
                    }
                    for (int t2 = t + 1; t2 < T; t2++) {
                        bound[row + t2] = 0;
                    }
                }
            }
        }
        return dpre;
    }

    /** dqkv0 + the three sums of the contract; bound[i] = 1e-5·sqrt(K)·(|dqkv0| + Σ|terms|) + 1e-6. */
    static double[] refBackwardInput(float[] dqkv0, float[] dpre, float[] att, float[] qkv, float[] dout,
                                     int B, int T, int C, int NH, double[] bound) {
        int hs = C / NH;
        double[] d = new double[dqkv0.length];
        double[] m = new double[dqkv0.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = dqkv0[i];
            m[i] = Math.abs(dqkv0[i]);
        }
        for (int b = 0; b < B; b++) {
            for (int h = 0; h < NH; h++) {
                int a = (b * NH + h) * T * T;
                for (int t = 0; t < T; t++) {
                    int q = (b * T + t) * 3 * C + h * hs;
                    for (int i = 0; i < hs; i++) {
                        for (int t2 = 0; t2 <= t; t2++) {
                            double x = (double) dpre[a + t * T + t2] * qkv[(b * T + t2) * 3 * C + C + h * hs + i];
                            d[q + i] += x;
                            m[q + i] += Math.abs(x);
                        }
                        for (int t1 = t; t1 < T; t1++) {
                            double x = (double) dpre[a + t1 * T + t] * qkv[(b * T + t1) * 3 * C + h * hs + i];
                            d[q + C + i] += x;
                            m[q + C + i] += Math.abs(x);
                            double y = (double) att[a + t1 * T + t] * dout[(b * T + t1) * C + h * hs + i];
                            d[q + 2 * C + i] += y;
                            m[q + 2 * C + i] += Math.abs(y);
                        }
                    }
                }
            }
        }
        for (int i = 0; i < d.length; i++) {
            bound[i] = 1e-5 * Math.sqrt(T) * m[i] + 1e-6;
        }
        return d;
    }

    static void assertWithin(String what, double[] ref, double[] bound, float[] actual) {
        for (int i = 0; i < ref.length; i++) {
            if (!(Math.abs(actual[i] - ref[i]) <= bound[i])) {
                fail(what + "[" + i + "]: expected " + ref[i] + " ± " + bound[i] + " but was " + actual[i]);
            }
        }
    }

    static int[][] splits(int work) {
        return MatmulVectorTest.splits(work);
    }

    // ---- tests ----

    @Test
    void forwardMatchesReferenceAndIsSplitInvariant() {
        SplittableRandom rnd = new SplittableRandom(21);
        for (int[] s : SHAPES) {
            int B = s[0], T = s[1], C = s[2], NH = s[3], work = B * NH * T;
            String what = "forward " + Arrays.toString(s);
            float[] qkv = randomFloats(rnd, B * T * 3 * C, 1);
            double[] refAtt = new double[B * NH * T * T];
            double[] refOut = refForward(qkv, B, T, C, NH, refAtt);
            float[] firstOut = null, firstAtt = null;
            for (int[] cuts : splits(work)) {
                float[] out = randomFloats(rnd, B * T * C, 5);        // must be overwritten
                float[] att = randomFloats(rnd, B * NH * T * T, 5);   // whole rows written
                MatmulVectorTest.runSplit(cuts, (o, n) -> AttentionVector.forward(out, att, qkv, T, C, NH, o, n));
                if (firstOut == null) {
                    double[] attBound = new double[refAtt.length];
                    for (int i = 0; i < attBound.length; i++) {
                        attBound[i] = 1e-5 * refAtt[i] + 1e-7;
                    }
                    assertWithin(what + " att", refAtt, attBound, att);
                    double[] outBound = outBound(refAtt, qkv, B, T, C, NH);
                    assertWithin(what + " out", refOut, outBound, out);
                    firstOut = out;
                    firstAtt = att;
                } else {
                    assertArrayEquals(firstAtt, att, what + " att split " + Arrays.toString(cuts));
                    assertArrayEquals(firstOut, out, what + " out split " + Arrays.toString(cuts));
                }
            }
        }
    }

    /** 1e-5·sqrt(T)·Σ_t2 att·|v| + 1e-6. */
    static double[] outBound(double[] att, float[] qkv, int B, int T, int C, int NH) {
        int hs = C / NH;
        double[] bound = new double[B * T * C];
        for (int b = 0; b < B; b++) {
            for (int h = 0; h < NH; h++) {
                for (int t = 0; t < T; t++) {
                    for (int i = 0; i < hs; i++) {
                        double m = 0;
                        for (int t2 = 0; t2 <= t; t2++) {
                            m += att[((b * NH + h) * T + t) * T + t2] * Math.abs(qkv[(b * T + t2) * 3 * C + 2 * C + h * hs + i]);
                        }
                        bound[(b * T + t) * C + h * hs + i] = 1e-5 * Math.sqrt(T) * m + 1e-6;
                    }
                }
            }
        }
        return bound;
    }

    @Test
    void backwardScoresMatchesReferenceAndIsSplitInvariant() {
        SplittableRandom rnd = new SplittableRandom(22);
        for (int[] s : SHAPES) {
            int B = s[0], T = s[1], C = s[2], NH = s[3], work = B * NH * T;
            String what = "backwardScores " + Arrays.toString(s);
            float[] qkv = randomFloats(rnd, B * T * 3 * C, 1);
            float[] dout = randomFloats(rnd, B * T * C, 1);
            float[] att = new float[B * NH * T * T];
            AttentionVector.forward(new float[B * T * C], att, qkv, T, C, NH, 0, work);
            double[] bound = new double[att.length];
            double[] ref = refBackwardScores(dout, att, qkv, B, T, C, NH, bound);
            float[] first = null;
            for (int[] cuts : splits(work)) {
                float[] dpre = randomFloats(rnd, att.length, 5);       // whole rows written
                MatmulVectorTest.runSplit(cuts, (o, n) -> AttentionVector.backwardScores(dpre, dout, att, qkv, T, C, NH, o, n));
                if (first == null) {
                    assertWithin(what, ref, bound, dpre);
                    first = dpre;
                } else {
                    assertArrayEquals(first, dpre, what + " split " + Arrays.toString(cuts));
                }
            }
        }
    }

    @Test
    void backwardInputAccumulatesAndIsSplitInvariant() {
        SplittableRandom rnd = new SplittableRandom(23);
        for (int[] s : SHAPES) {
            int B = s[0], T = s[1], C = s[2], NH = s[3], work = B * NH * T;
            String what = "backwardInput " + Arrays.toString(s);
            float[] qkv = randomFloats(rnd, B * T * 3 * C, 1);
            float[] dout = randomFloats(rnd, B * T * C, 1);
            float[] att = new float[B * NH * T * T];
            float[] dpre = new float[att.length];
            AttentionVector.forward(new float[B * T * C], att, qkv, T, C, NH, 0, work);
            AttentionVector.backwardScores(dpre, dout, att, qkv, T, C, NH, 0, work);
            float[] dqkv0 = randomFloats(rnd, qkv.length, 1);
            double[] bound = new double[qkv.length];
            double[] ref = refBackwardInput(dqkv0, dpre, att, qkv, dout, B, T, C, NH, bound);
            float[] first = null;
            for (int[] cuts : splits(work)) {
                float[] dqkv = dqkv0.clone();
                MatmulVectorTest.runSplit(cuts, (o, n) -> AttentionVector.backwardInput(dqkv, dpre, att, qkv, dout, T, C, NH, o, n));
                if (first == null) {
                    assertWithin(what, ref, bound, dqkv);
                    first = dqkv;
                } else {
                    assertArrayEquals(first, dqkv, what + " split " + Arrays.toString(cuts));
                }
            }
        }
    }

    /** backwardScores then backwardInput give ∂(Σ r·out)/∂qkv of the double forward. */
    @Test
    void backwardIsTheGradientOfForward() {
        int B = 2, T = 5, C = 6, NH = 2, work = B * NH * T;
        SplittableRandom rnd = new SplittableRandom(24);
        float[] qkv = randomFloats(rnd, B * T * 3 * C, 1);
        float[] r = randomFloats(rnd, B * T * C, 1);
        float[] att = new float[B * NH * T * T], dpre = new float[att.length], dqkv = new float[qkv.length];
        AttentionVector.forward(new float[B * T * C], att, qkv, T, C, NH, 0, work);
        AttentionVector.backwardScores(dpre, r, att, qkv, T, C, NH, 0, work);
        AttentionVector.backwardInput(dqkv, dpre, att, qkv, r, T, C, NH, 0, work);
        double[] x = new double[qkv.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = qkv[i];
        }
        double[] g = numeric(v -> {
            double[] out = refForwardDouble(v, B, T, C, NH);
            double l = 0;
            for (int i = 0; i < out.length; i++) {
                l += r[i] * out[i];
            }
            return l;
        }, x, 1e-5);
        for (int i = 0; i < g.length; i++) {
            assertEquals(g[i], dqkv[i], 1e-5 + 1e-4 * Math.abs(g[i]), "dqkv[" + i + "]");
        }
    }

    private static double[] refForwardDouble(double[] qkv, int B, int T, int C, int NH) {
        // The same reference on double inputs (rounded to float would spoil the finite differences).
        int hs = C / NH;
        double scale = 1 / Math.sqrt(hs);
        double[] out = new double[B * T * C];
        double[] p = new double[T];
        for (int b = 0; b < B; b++) {
            for (int h = 0; h < NH; h++) {
                for (int t = 0; t < T; t++) {
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int t2 = 0; t2 <= t; t2++) {
                        double s = 0;
                        for (int i = 0; i < hs; i++) {
                            s += qkv[(b * T + t) * 3 * C + h * hs + i] * qkv[(b * T + t2) * 3 * C + C + h * hs + i];
                        }
                        p[t2] = s * scale;
                        max = Math.max(max, p[t2]);
                    }
                    for (int t2 = 0; t2 <= t; t2++) {
                        p[t2] = Math.exp(p[t2] - max);
                        sum += p[t2];
                    }
                    for (int i = 0; i < hs; i++) {
                        double o = 0;
                        for (int t2 = 0; t2 <= t; t2++) {
                            o += p[t2] / sum * qkv[(b * T + t2) * 3 * C + 2 * C + h * hs + i];
                        }
                        out[(b * T + t) * C + h * hs + i] = o;
                    }
                }
            }
        }
        return out;
    }

    @Test
    void expIsAccurateAndScalarMatchesVector() {
        float[] xs = new float[4096];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = -90f * i / xs.length;
        }
        xs[1] = -0f;
        xs[2] = -1e-30f;
        float[] v = new float[xs.length];
        for (int i = 0; i < xs.length; i += Gemm.V) {
            AttentionVector.exp(jdk.incubator.vector.FloatVector.fromArray(Gemm.SPECIES, xs, i)).intoArray(v, i);
        }
        for (int i = 0; i < xs.length; i++) {
            float s = AttentionVector.exp(xs[i]);
            assertEquals(Float.floatToIntBits(v[i]), Float.floatToIntBits(s), "lane vs scalar at " + xs[i]);
            if (xs[i] >= -87f) {
                double e = Math.exp(xs[i]);
                assertEquals(e, s, 2 * Math.ulp((float) e), "exp(" + xs[i] + ")");
            }
        }
        assertEquals(1f, AttentionVector.exp(0f));
    }

    /** Attention's tasks run its twin through the backend: the twin's bits on 1, 2 and 3 threads. */
    @Test
    void throughBackendThreadCountDoesNotChangeBits() {
        int B = 2, T = 23, C = 24, NH = 3, work = B * NH * T;
        SplittableRandom rnd = new SplittableRandom(25);
        float[] qkv = randomFloats(rnd, B * T * 3 * C, 1);
        float[] dout = randomFloats(rnd, B * T * C, 1);
        float[][] direct = {new float[B * T * C], new float[B * NH * T * T], new float[B * NH * T * T], new float[qkv.length]};
        AttentionVector.forward(direct[0], direct[1], qkv, T, C, NH, 0, work);
        AttentionVector.backwardScores(direct[2], dout, direct[1], qkv, T, C, NH, 0, work);
        AttentionVector.backwardInput(direct[3], direct[2], direct[1], qkv, dout, T, C, NH, 0, work);
        for (int threads = 1; threads <= 3; threads++) {
            try (JvmBackend backend = new JvmBackend(threads, true, false)) {
                Buffer.F32 bQkv = new Buffer.F32("qkv", qkv.clone()), bDout = new Buffer.F32("dout", dout.clone()),
                        out = new Buffer.F32("out", B * T * C), att = new Buffer.F32("att", B * NH * T * T),
                        dpre = new Buffer.F32("dpre", B * NH * T * T), dqkv = new Buffer.F32("dqkv", qkv.length);
                Graph g = new Graph("attn")
                        .task("f", work, Attention::forward, out, att, bQkv, i32(T), i32(C), i32(NH))
                        .task("s", work, Attention::backwardScores, dpre, bDout, att, bQkv, i32(T), i32(C), i32(NH))
                        .task("i", work, Attention::backwardInput, dqkv, dpre, att, bQkv, bDout, i32(T), i32(C),
                                i32(NH));
                Executable e = backend.compile(g);
                e.run();
                backend.toHost(out, att, dpre, dqkv);
                float[][] got = {out.data(), att.data(), dpre.data(), dqkv.data()};
                for (int i = 0; i < got.length; i++) {
                    assertArrayEquals(direct[i], got[i], "buffer " + i + ", " + threads + " threads");
                }
            }
        }
    }
}
