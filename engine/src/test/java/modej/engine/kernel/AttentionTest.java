package modej.engine.kernel;

import static modej.engine.kernel.GradCheck.assertClose;
import static modej.engine.kernel.GradCheck.dot;
import static modej.engine.kernel.GradCheck.numeric;
import static modej.engine.kernel.GradCheck.randomFloats;
import static modej.engine.kernel.GradCheck.toDouble;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class AttentionTest {

    static final int B = 2, T = 5, NH = 2, HS = 3, C = NH * HS, WORK = B * NH * T;
    static final double SCALE = 1 / Math.sqrt(HS);

    static int qkvAt(int b, int t, int part, int h, int j) {
        return (b * T + t) * 3 * C + part * C + h * HS + j;
    }

    static int attAt(int b, int h, int t, int t2) {
        return ((b * NH + h) * T + t) * T + t2;
    }

    /** Unscaled scores q[t]·k[t2] (B,NH,T,T) of a double qkv (B,T,3C); 0 for t2 > t. */
    static double[] scores(double[] qkv) {
        double[] s = new double[B * NH * T * T];
        for (int b = 0; b < B; b++) {
            for (int h = 0; h < NH; h++) {
                for (int t = 0; t < T; t++) {
                    for (int t2 = 0; t2 <= t; t2++) {
                        double d = 0;
                        for (int j = 0; j < HS; j++) {
                            d += qkv[qkvAt(b, t, 0, h, j)] * qkv[qkvAt(b, t2, 1, h, j)];
                        }
                        s[attAt(b, h, t, t2)] = d;
                    }
                }
            }
        }
        return s;
    }

    /** Causal softmax of scale·scores over t2 ≤ t (B,NH,T,T), computed directly as exp / Σ exp. */
    static double[] probabilities(double[] scores) {
        double[] att = new double[scores.length];
        for (int row = 0; row < B * NH * T; row++) {
            int t = row % T;
            double sum = 0;
            for (int t2 = 0; t2 <= t; t2++) {
                sum += Math.exp(SCALE * scores[row * T + t2]);
            }
            for (int t2 = 0; t2 <= t; t2++) {
                att[row * T + t2] = Math.exp(SCALE * scores[row * T + t2]) / sum;
            }
        }
        return att;
    }

    /** out (B,T,C) = att · v for given scores and the values in qkv. */
    static double[] outFromScores(double[] scores, double[] qkv) {
        double[] att = probabilities(scores);
        double[] out = new double[B * T * C];
        for (int b = 0; b < B; b++) {
            for (int h = 0; h < NH; h++) {
                for (int t = 0; t < T; t++) {
                    for (int j = 0; j < HS; j++) {
                        double s = 0;
                        for (int t2 = 0; t2 <= t; t2++) {
                            s += att[attAt(b, h, t, t2)] * qkv[qkvAt(b, t2, 2, h, j)];
                        }
                        out[(b * T + t) * C + h * HS + j] = s;
                    }
                }
            }
        }
        return out;
    }

    /** Independent double-precision reference: out (B,T,C) of qkv (B,T,3C). */
    static double[] reference(double[] qkv) {
        return outFromScores(scores(qkv), qkv);
    }

    static void assertFutureIsZero(String what, float[] a) {
        for (int b = 0; b < B; b++) {
            for (int h = 0; h < NH; h++) {
                for (int t = 0; t < T; t++) {
                    for (int t2 = t + 1; t2 < T; t2++) {
                        float x = a[attAt(b, h, t, t2)];
                        if (x != 0f) {
                            fail(what + "[b=" + b + ",h=" + h + ",t=" + t + ",t2=" + t2 + "] = " + x + ", not 0");
                        }
                    }
                }
            }
        }
    }

    @Test
    void forwardMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(51);
        float[] qkv = randomFloats(rnd, B * T * 3 * C, 1.5);
        float[] out = new float[B * T * C], att = new float[B * NH * T * T];
        Arrays.fill(out, Float.NaN); // forward writes every element of both outputs
        Arrays.fill(att, Float.NaN);
        Attention.forward(out, att, qkv, T, C, NH, 0, 7);
        Attention.forward(out, att, qkv, T, C, NH, 7, WORK - 7);

        double[] x = toDouble(qkv);
        assertClose("out", reference(x), out, 1e-5, 1e-5);
        assertClose("att", probabilities(scores(x)), att, 1e-6, 1e-5);
        assertFutureIsZero("att", att);
    }

    @Test
    void forwardIsStableForLargeScores() {
        // scaled scores up to a few hundred (the double reference stays finite):
        // exp without the maximum subtracted would overflow float
        SplittableRandom rnd = new SplittableRandom(52);
        float[] qkv = randomFloats(rnd, B * T * 3 * C, 15);
        float[] out = new float[B * T * C], att = new float[B * NH * T * T];
        Attention.forward(out, att, qkv, T, C, NH, 0, WORK);
        double[] x = toDouble(qkv);
        assertClose("att", probabilities(scores(x)), att, 1e-5, 1e-4);
        assertClose("out", reference(x), out, 1e-3, 1e-4);
    }

    @Test
    void backwardScoresMatchFiniteDifferences() {
        SplittableRandom rnd = new SplittableRandom(53);
        float[] qkv = randomFloats(rnd, B * T * 3 * C, 1.5);
        float[] dout = randomFloats(rnd, B * T * C, 1);
        double[] r = toDouble(dout), x = toDouble(qkv);
        float[] out = new float[B * T * C], att = new float[B * NH * T * T];
        Attention.forward(out, att, qkv, T, C, NH, 0, WORK);

        float[] dpreatt = new float[B * NH * T * T];
        Arrays.fill(dpreatt, Float.NaN); // written, not accumulated, including the masked future
        Attention.backwardScores(dpreatt, dout, att, qkv, T, C, NH, 0, 9);
        Attention.backwardScores(dpreatt, dout, att, qkv, T, C, NH, 9, WORK - 9);

        // dpreatt is ∂L/∂(q·k): finite differences over the unscaled scores
        double[] expected = numeric(s -> dot(r, outFromScores(s, x)), scores(x), 1e-5);
        assertClose("dpreatt", expected, dpreatt, 1e-5, 1e-4);
        assertFutureIsZero("dpreatt", dpreatt);
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        SplittableRandom rnd = new SplittableRandom(54);
        float[] qkv = randomFloats(rnd, B * T * 3 * C, 1.5);
        float[] dout = randomFloats(rnd, B * T * C, 1);
        double[] r = toDouble(dout);
        float[] out = new float[B * T * C], att = new float[B * NH * T * T];
        Attention.forward(out, att, qkv, T, C, NH, 0, WORK);

        float[] dpreatt = new float[B * NH * T * T];
        Attention.backwardScores(dpreatt, dout, att, qkv, T, C, NH, 0, 11);
        Attention.backwardScores(dpreatt, dout, att, qkv, T, C, NH, 11, WORK - 11);
        // gradients accumulate: start from non-zero values and subtract them afterwards
        float[] dqkv = randomFloats(rnd, qkv.length, 1);
        float[] dqkv0 = dqkv.clone();
        Attention.backwardInput(dqkv, dpreatt, att, qkv, dout, T, C, NH, 0, 6);
        Attention.backwardInput(dqkv, dpreatt, att, qkv, dout, T, C, NH, 6, WORK - 6);
        for (int i = 0; i < dqkv.length; i++) {
            dqkv[i] -= dqkv0[i];
        }
        assertClose("dqkv", numeric(v -> dot(r, reference(v)), toDouble(qkv), 1e-5), dqkv, 1e-4, 1e-4);
    }
}
