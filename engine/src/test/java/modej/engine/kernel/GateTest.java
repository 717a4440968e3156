package modej.engine.kernel;

import static modej.engine.kernel.GradCheck.assertClose;
import static modej.engine.kernel.GradCheck.dot;
import static modej.engine.kernel.GradCheck.numeric;
import static modej.engine.kernel.GradCheck.randomFloats;
import static modej.engine.kernel.GradCheck.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class GateTest {

    /** Gate rows and sources for the softmax tests. */
    static final int G = 7, E1 = 5;
    /** Sequences, tokens, width, sources for the mix and prefix-mean tests. */
    static final int B = 3, T = 4, C = 5, S = 3, ROWS = B * T;

    // ---- independent double-precision references ----

    /** softmax(logits · invT) per row, computed directly as exp / Σ exp. */
    static double[] softmax(double[] logits, int rows, int e1, double invT) {
        double[] p = new double[rows * e1];
        for (int g = 0; g < rows; g++) {
            double sum = 0;
            for (int i = 0; i < e1; i++) {
                sum += Math.exp(logits[g * e1 + i] * invT);
            }
            for (int i = 0; i < e1; i++) {
                p[g * e1 + i] = Math.exp(logits[g * e1 + i] * invT) / sum;
            }
        }
        return p;
    }

    /** The gate weights: softmax, or its topK largest (stable sort, so ties keep the lower index) renormalised. */
    static double[] weights(double[] logits, int rows, int e1, int topK, double invT) {
        double[] p = softmax(logits, rows, e1, invT);
        if (topK <= 0 || topK >= e1) {
            return p;
        }
        double[] w = new double[rows * e1];
        for (int g = 0; g < rows; g++) {
            int x = g * e1;
            Integer[] order = IntStream.range(0, e1).boxed().toArray(Integer[]::new);
            Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -p[x + i]));
            double kept = 0;
            for (int k = 0; k < topK; k++) {
                kept += p[x + order[k]];
            }
            for (int k = 0; k < topK; k++) {
                w[x + order[k]] = p[x + order[k]] / kept;
            }
        }
        return w;
    }

    /** out = (accumulate ? out0 : 0) + weights[r / rowsPerGate][source] · y. */
    static double[] mix(double[] out0, double[] y, double[] w, int source, int rowsPerGate, boolean accumulate) {
        double[] out = new double[ROWS * C];
        for (int r = 0; r < ROWS; r++) {
            for (int c = 0; c < C; c++) {
                out[r * C + c] = (accumulate ? out0[r * C + c] : 0) + w[(r / rowsPerGate) * S + source] * y[r * C + c];
            }
        }
        return out;
    }

    /** pooled (B, T, C): at (b, t) the mean of h (B, T, C) over positions 0..t of sequence b, summed afresh for each t. */
    static double[] prefixMean(double[] h) {
        double[] pooled = new double[B * T * C];
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                for (int c = 0; c < C; c++) {
                    double s = 0;
                    for (int u = 0; u <= t; u++) {
                        s += h[(b * T + u) * C + c];
                    }
                    pooled[(b * T + t) * C + c] = s / (t + 1);
                }
            }
        }
        return pooled;
    }

    /** aux = coef · E1 · Σ_i f_i · P_i, P_i the mean over gate rows of softmax(logits · invT). */
    static double balanceLoss(double[] logits, double[] f, double coef, int rows, int e1, double invT) {
        double[] p = softmax(logits, rows, e1, invT);
        double aux = 0;
        for (int i = 0; i < e1; i++) {
            double mean = 0;
            for (int g = 0; g < rows; g++) {
                mean += p[g * e1 + i];
            }
            aux += f[i] * mean / rows;
        }
        return coef * e1 * aux;
    }

    // ---- inputs ----

    /**
     * Logits (G, E1) whose scaled values differ by at least 0.3 within a row: a permutation of
     * 0, 0.6, …, 2.4 plus noise in ±0.15, so a step of 1e-4 never changes the top k. Row 3 is
     * shifted by 200, where exp without the maximum subtracted overflows float.
     */
    static float[] spacedLogits(SplittableRandom rnd) {
        float[] logits = new float[G * E1];
        for (int g = 0; g < G; g++) {
            int[] perm = IntStream.range(0, E1).toArray();
            for (int i = E1 - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            for (int i = 0; i < E1; i++) {
                logits[g * E1 + i] = (float) (0.6 * perm[i] + (rnd.nextDouble() - 0.5) * 0.3 + (g == 3 ? 200 : 0));
            }
        }
        return logits;
    }

    static float[] nan(int n) {
        float[] a = new float[n];
        Arrays.fill(a, Float.NaN);
        return a;
    }

    static void subtract(float[] a, float[] a0) {
        for (int i = 0; i < a.length; i++) {
            a[i] -= a0[i];
        }
    }

    // ---- softmax and top k ----

    @Test
    void forwardMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(71);
        float[] logits = spacedLogits(rnd);
        for (int topK : new int[] {0, 1, 2, 4, E1, E1 + 1}) {
            for (float invT : new float[] {1f, 0.5f, 1.7f}) {
                String what = "topK " + topK + " invT " + invT;
                float[] w = nan(G * E1), p = nan(G * E1); // forward writes every element of both
                Gate.forward(w, p, logits, E1, topK, invT, 0, 3);
                Gate.forward(w, p, logits, E1, topK, invT, 3, G - 3);
                double[] x = toDouble(logits);
                // the reference has no maximum subtracted: shift row 3 back in double
                for (int i = 0; i < E1; i++) {
                    x[3 * E1 + i] -= 200;
                }
                assertClose("probs " + what, softmax(x, G, E1, invT), p, 1e-6, 1e-5);
                assertClose("weights " + what, weights(x, G, E1, topK, invT), w, 1e-6, 1e-5);
                for (int g = 0; g < G; g++) {
                    int kept = 0;
                    for (int i = 0; i < E1; i++) {
                        kept += w[g * E1 + i] != 0f ? 1 : 0;
                    }
                    assertEquals(topK > 0 && topK < E1 ? topK : E1, kept, what + " non-zero weights in row " + g);
                }
            }
        }
    }

    @Test
    void topKTiesKeepTheLowerIndex() {
        int e1 = 5;
        float[] logits = {
                1, 3, 3, 0, 3,   // three tied at the top: 1 and 2 are kept
                2, 2, 2, 2, 2,   // all tied: 0 and 1
                0, 1, 5, 0, 1,   // 2, then a tie of 1 and 4 for the second place: 1
                0, 4, 0, 4, 0,   // 1 and 3
        };
        float[] w = nan(logits.length), p = nan(logits.length);
        Gate.forward(w, p, logits, e1, 2, 1f, 0, 1);
        Gate.forward(w, p, logits, e1, 2, 1f, 1, 3);
        assertArrayEquals(new float[] {0, 0.5f, 0.5f, 0, 0}, Arrays.copyOfRange(w, 0, 5), 1e-6f, "row 0");
        assertArrayEquals(new float[] {0.5f, 0.5f, 0, 0, 0}, Arrays.copyOfRange(w, 5, 10), 1e-6f, "row 1");
        float e4 = (float) Math.exp(-4);
        float w2 = 1 / (1 + e4);
        assertArrayEquals(new float[] {0, 1 - w2, w2, 0, 0}, Arrays.copyOfRange(w, 10, 15), 1e-6f, "row 2");
        assertArrayEquals(new float[] {0, 0.5f, 0, 0.5f, 0}, Arrays.copyOfRange(w, 15, 20), 1e-6f, "row 3");
        assertArrayEquals(new float[] {0.2f, 0.2f, 0.2f, 0.2f, 0.2f}, Arrays.copyOfRange(p, 5, 10), 1e-7f, "probs row 1");
        // top 1 with a tie: the lowest index alone, weight 1
        Gate.forward(w, p, logits, e1, 1, 1f, 0, 4);
        assertArrayEquals(new float[] {0, 1, 0, 0, 0}, Arrays.copyOfRange(w, 0, 5), 1e-6f, "top 1 row 0");
        assertArrayEquals(new float[] {1, 0, 0, 0, 0}, Arrays.copyOfRange(w, 5, 10), 1e-6f, "top 1 row 1");
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        SplittableRandom rnd = new SplittableRandom(72);
        float[] logits = spacedLogits(rnd);
        for (int i = 0; i < E1; i++) {
            logits[3 * E1 + i] -= 200; // the finite differences need the logits near 0
        }
        double[] z = toDouble(logits);
        for (int topK : new int[] {0, 2, 3}) {
            for (float invT : new float[] {1f, 0.6f}) {
                String what = "topK " + topK + " invT " + invT;
                float[] w = new float[G * E1], p = new float[G * E1];
                Gate.forward(w, p, logits, E1, topK, invT, 0, G);
                float[] dweights = randomFloats(rnd, G * E1, 1);
                double[] r = toDouble(dweights);
                // gradients accumulate: start from non-zero values and subtract them afterwards
                float[] dlogits = randomFloats(rnd, G * E1, 1);
                float[] dlogits0 = dlogits.clone();
                Gate.backward(dlogits, dweights, w, E1, invT, 0, 4);
                Gate.backward(dlogits, dweights, w, E1, invT, 4, G - 4);
                subtract(dlogits, dlogits0);
                double[] expected = numeric(v -> dot(r, weights(v, G, E1, topK, invT)), z, 1e-4);
                assertClose("dlogits " + what, expected, dlogits, 1e-5, 1e-4);
                if (topK > 0) {
                    for (int i = 0; i < w.length; i++) {
                        if (w[i] == 0f) {
                            assertEquals(0f, dlogits[i], 1e-7f, what + " unselected source " + i);
                        }
                    }
                }
            }
        }
    }

    // ---- mix ----

    @Test
    void mixMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(73);
        for (int rowsPerGate : new int[] {1, T}) {
            int gateRows = ROWS / rowsPerGate;
            float[] w = randomFloats(rnd, gateRows * S, 1);
            float[][] y = new float[S][];
            for (int s = 0; s < S; s++) {
                y[s] = randomFloats(rnd, ROWS * C, 1);
            }
            for (int source = 0; source < S; source++) {
                for (int accumulate = 0; accumulate <= 1; accumulate++) {
                    String what = "rowsPerGate " + rowsPerGate + " source " + source + " accumulate " + accumulate;
                    float[] out = accumulate == 0 ? nan(ROWS * C) : randomFloats(rnd, ROWS * C, 1);
                    double[] out0 = toDouble(out);
                    Gate.mixForward(out, y[source], w, source, S, C, rowsPerGate, accumulate, 0, 5);
                    Gate.mixForward(out, y[source], w, source, S, C, rowsPerGate, accumulate, 5, ROWS - 5);
                    double[] expected = mix(out0, toDouble(y[source]), toDouble(w), source, rowsPerGate,
                            accumulate != 0);
                    assertClose(what, expected, out, 1e-6, 1e-6);
                }
            }
            // the whole mix, as the model runs it: source 0 writes, the others add
            float[] out = nan(ROWS * C);
            for (int source = 0; source < S; source++) {
                Gate.mixForward(out, y[source], w, source, S, C, rowsPerGate, source == 0 ? 0 : 1, 0, ROWS);
            }
            double[] expected = new double[ROWS * C];
            for (int source = 0; source < S; source++) {
                expected = mix(expected, toDouble(y[source]), toDouble(w), source, rowsPerGate, true);
            }
            assertClose("all sources, rowsPerGate " + rowsPerGate, expected, out, 1e-6, 1e-6);
        }
    }

    @Test
    void mixBackwardMatchesFiniteDifferences() {
        SplittableRandom rnd = new SplittableRandom(74);
        for (int rowsPerGate : new int[] {1, T}) {
            int gateRows = ROWS / rowsPerGate;
            for (int source = 0; source < S; source++) {
                for (int accumulate = 0; accumulate <= 1; accumulate++) {
                    String what = "rowsPerGate " + rowsPerGate + " source " + source + " accumulate " + accumulate;
                    boolean acc = accumulate != 0;
                    float[] wf = randomFloats(rnd, gateRows * S, 1), yf = randomFloats(rnd, ROWS * C, 1);
                    float[] dout = randomFloats(rnd, ROWS * C, 1);
                    double[] r = toDouble(dout), w = toDouble(wf), y = toDouble(yf);
                    double[] out0 = toDouble(randomFloats(rnd, ROWS * C, 1));
                    int src = source;

                    float[] dy = randomFloats(rnd, ROWS * C, 1);
                    float[] dy0 = dy.clone();
                    Gate.mixBackwardInput(dy, dout, wf, source, S, C, rowsPerGate, 0, 7);
                    Gate.mixBackwardInput(dy, dout, wf, source, S, C, rowsPerGate, 7, ROWS - 7);
                    subtract(dy, dy0);
                    assertClose("dy " + what, numeric(v -> dot(r, mix(out0, v, w, src, rowsPerGate, acc)), y, 1e-4),
                            dy, 1e-5, 1e-5);

                    // dweights[g][source] is written; the other columns keep whatever they held
                    float[] dw = randomFloats(rnd, gateRows * S, 1);
                    float[] dw0 = dw.clone();
                    dw[1 * S + source] = Float.NaN;
                    Gate.mixBackwardWeights(dw, dout, yf, source, S, C, rowsPerGate, 0, 1);
                    Gate.mixBackwardWeights(dw, dout, yf, source, S, C, rowsPerGate, 1, gateRows - 1);
                    double[] expected = numeric(v -> dot(r, mix(out0, y, v, src, rowsPerGate, acc)), w, 1e-4);
                    for (int g = 0; g < gateRows; g++) {
                        for (int s = 0; s < S; s++) {
                            int k = g * S + s;
                            if (s == source) {
                                assertEquals(expected[k], dw[k], 1e-4 + 1e-4 * Math.abs(expected[k]),
                                        "dweights " + what + " [" + g + "][" + s + "]");
                            } else {
                                assertEquals(0, expected[k], 1e-9, "reference: other sources' weights do not enter this mix");
                                assertEquals(dw0[k], dw[k], "dweights " + what + " untouched [" + g + "][" + s + "]");
                            }
                        }
                    }
                }
            }
        }
    }

    // ---- causal prefix mean ----

    @Test
    void prefixMeanMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(75);
        float[] h = randomFloats(rnd, ROWS * C, 1);
        float[] pooled = nan(ROWS * C);
        Gate.prefixMean(pooled, h, T, C, 0, 6);
        Gate.prefixMean(pooled, h, T, C, 6, B * C - 6);
        assertClose("pooled", prefixMean(toDouble(h)), pooled, 1e-6, 1e-6);
        assertEquals(h[0], pooled[0], "the first position's mean is the position itself");
    }

    @Test
    void prefixMeanIsCausalAndBitIdenticalForAnySplit() {
        SplittableRandom rnd = new SplittableRandom(77);
        float[] h = randomFloats(rnd, ROWS * C, 1);
        float[] whole = nan(ROWS * C);
        Gate.prefixMean(whole, h, T, C, 0, B * C);
        for (int split = 1; split < B * C; split++) {
            float[] parts = nan(ROWS * C);
            Gate.prefixMean(parts, h, T, C, 0, split);
            Gate.prefixMean(parts, h, T, C, split, B * C - split);
            assertArrayEquals(whole, parts, "split at column " + split);
        }
        // changing the last position of every sequence leaves positions 0..T-2 bit-identical
        float[] later = h.clone();
        for (int b = 0; b < B; b++) {
            for (int c = 0; c < C; c++) {
                later[(b * T + T - 1) * C + c] += 1f;
            }
        }
        float[] changed = nan(ROWS * C);
        Gate.prefixMean(changed, later, T, C, 0, B * C);
        for (int b = 0; b < B; b++) {
            int from = b * T * C, to = (b * T + T - 1) * C;
            assertArrayEquals(Arrays.copyOfRange(whole, from, to), Arrays.copyOfRange(changed, from, to), "sequence " + b);
            assertTrue(changed[to] != whole[to], "the last position itself changes");
        }
    }

    @Test
    void prefixMeanBackwardMatchesFiniteDifferences() {
        SplittableRandom rnd = new SplittableRandom(76);
        float[] h = randomFloats(rnd, ROWS * C, 1);
        float[] dpooled = randomFloats(rnd, ROWS * C, 1);
        double[] r = toDouble(dpooled);
        float[] dh = randomFloats(rnd, ROWS * C, 1);
        float[] dh0 = dh.clone();
        Gate.prefixMeanBackward(dh, dpooled, T, C, 0, 5);
        Gate.prefixMeanBackward(dh, dpooled, T, C, 5, B * C - 5);
        subtract(dh, dh0);
        assertClose("dh", numeric(v -> dot(r, prefixMean(v)), toDouble(h), 1e-4), dh, 1e-5, 1e-5);
    }

    // ---- load balancing ----

    @Test
    void balanceStatsOnConstructedCase() {
        int e1 = 3, rows = 5;
        float[] probs = {
                0.5f, 0.3f, 0.2f,   // arg-max 0
                0.1f, 0.2f, 0.7f,   // 2
                0.2f, 0.2f, 0.6f,   // 2
                0.2f, 0.4f, 0.4f,   // tie of 1 and 2: 1
                0.3f, 0.3f, 0.4f,   // 2
        };
        float[] stats = nan(2 * e1);
        Gate.balanceStats(stats, probs, e1, rows, 0, 1);
        Gate.balanceStats(stats, probs, e1, rows, 1, 2);
        assertArrayEquals(new float[] {1 / 5f, 1 / 5f, 3 / 5f, 1.3f / 5, 1.4f / 5, 2.3f / 5}, stats, 1e-6f);

        // all tied: source 0
        float[] uniform = {0.25f, 0.25f, 0.25f, 0.25f};
        float[] s4 = nan(8);
        Gate.balanceStats(s4, uniform, 4, 1, 0, 4);
        assertArrayEquals(new float[] {1, 0, 0, 0, 0.25f, 0.25f, 0.25f, 0.25f}, s4);
    }

    @Test
    void balanceBackwardMatchesFiniteDifferences() {
        SplittableRandom rnd = new SplittableRandom(77);
        float[] logits = randomFloats(rnd, G * E1, 2);
        float invT = 0.7f;
        float[] w = new float[G * E1], p = new float[G * E1];
        Gate.forward(w, p, logits, E1, 0, invT, 0, G);
        float[] stats = new float[2 * E1];
        Gate.balanceStats(stats, p, E1, G, 0, E1);
        float fSum = 0;
        for (int i = 0; i < E1; i++) {
            fSum += stats[i];
        }
        assertEquals(1f, fSum, 1e-6f, "fractions sum to 1");
        assertTrue(IntStream.range(0, E1).filter(i -> stats[i] > 0).count() >= 2, "at least two sources routed");
        double[] f = toDouble(stats, 0, E1);
        float[] coef = {0.8f};

        float[] dlogits = randomFloats(rnd, G * E1, 1);
        float[] dlogits0 = dlogits.clone();
        Gate.balanceBackward(dlogits, p, stats, coef, E1, G, invT, 0, 2);
        Gate.balanceBackward(dlogits, p, stats, coef, E1, G, invT, 2, G - 2);
        subtract(dlogits, dlogits0);
        double[] expected = numeric(v -> balanceLoss(v, f, coef[0], G, E1, invT), toDouble(logits), 1e-4);
        assertClose("dlogits", expected, dlogits, 1e-6, 1e-4);

        // coef is read at run time
        coef[0] = 2.4f;
        dlogits = new float[G * E1];
        Gate.balanceBackward(dlogits, p, stats, coef, E1, G, invT, 0, G);
        assertClose("dlogits at coef 2.4", Arrays.stream(expected).map(g -> g * 3).toArray(), dlogits, 1e-6, 1e-4);
    }
}
