package modej.engine.jvm;

import static modej.engine.jvm.MatmulVectorTest.runSplit;
import static modej.engine.jvm.MatmulVectorTest.splits;
import static modej.engine.kernel.GradCheck.randomFloats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import modej.engine.kernel.CrossEntropy;

/**
 * {@link CrossEntropyVector} against a double-precision reference and the portable
 * {@link CrossEntropy}: awkward vocabulary sizes, ignored rows, ties for the arg-max, and
 * bit-identical for every split of the rows.
 *
 * <p>Tolerance (u = 2⁻²⁴). The reference is computed in double from the same float differences
 * d = logit − max that both kernels exponentiate (the maximum is a logit, so both subtract the
 * same value). Each exponential is within 2 ulp (≤ 4u relative; portable: 1u), the float sum of V
 * positive terms within (V − 1)·u relative in any order, and the reciprocal and product add 2u,
 * so a probability is within (V + 8)·u relative (plus 1e-37 absolute for e^−87 against an
 * underflow to 0), and a loss within (V + 8)·u + 2u·(|log Σ| + |loss|). {@code correct} and the
 * backward pass are exact: equal to the portable kernel bit for bit.
 */
class CrossEntropyVectorTest {

    static final double U = Math.ulp(1.0f) / 2;

    /** rows, V. */
    static final int[][] SHAPES = {{1, 1}, {3, 7}, {1, 8}, {9, 45}, {9, 256}, {5, 257}};

    /** Random logits of spread 3; row 1 shifted by 200, row 2 of spread 60 (exp arguments below −87). */
    static float[] logits(SplittableRandom rnd, int rows, int V) {
        float[] x = randomFloats(rnd, rows * V, 3);
        for (int v = 0; v < V; v++) {
            if (rows > 1) {
                x[V + v] += 200f;
            }
            if (rows > 2) {
                x[2 * V + v] *= 20f;
            }
        }
        return x;
    }

    /** Targets in [0, V); every third row ignored (−1), and row 0 never. */
    static int[] targets(SplittableRandom rnd, int rows, int V) {
        int[] t = new int[rows];
        for (int r = 0; r < rows; r++) {
            t[r] = r % 3 == 1 ? -1 : rnd.nextInt(V);
        }
        return t;
    }

    static void check(String what, int i, double ref, double bound, float actual) {
        if (!(Math.abs(actual - ref) <= bound)) {
            fail(what + "[" + i + "]: expected " + ref + " ± " + bound + " but was " + actual);
        }
    }

    static void checkForward(String what, float[] logits, int[] targets, int rows, int V,
                             float[] losses, float[] probs) {
        for (int r = 0; r < rows; r++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int v = 0; v < V; v++) {
                max = Math.max(max, logits[r * V + v]);
            }
            double sum = 0;
            for (int v = 0; v < V; v++) {
                sum += Math.exp(logits[r * V + v] - max);
            }
            for (int v = 0; v < V; v++) {
                double p = Math.exp(logits[r * V + v] - max) / sum;
                check(what + " probs", r * V + v, p, (V + 8) * U * p + 1e-37, probs[r * V + v]);
            }
            if (targets[r] >= 0) {
                double loss = Math.log(sum) - (logits[r * V + targets[r]] - max);
                check(what + " losses", r, loss, (V + 8) * U + 2 * U * (Math.log(sum) + Math.abs(loss)), losses[r]);
            } else {
                assertEquals(0f, losses[r], what + " ignored row " + r + "'s loss");
            }
        }
    }

    @Test
    void forwardMatchesReferenceAndPortableAndIsSplitInvariant() {
        SplittableRandom rnd = new SplittableRandom(31);
        for (int[] s : SHAPES) {
            int rows = s[0], V = s[1];
            float[] logits = logits(rnd, rows, V);
            int[] targets = targets(rnd, rows, V);
            String what = "forward " + rows + "x" + V;
            float[] pLosses = new float[rows], pProbs = new float[rows * V], pCorrect = new float[rows];
            CrossEntropy.forward(pLosses, pProbs, pCorrect, logits, targets, V, 0, rows);
            checkForward(what + " portable", logits, targets, rows, V, pLosses, pProbs);
            float[][] first = null;
            for (int[] cuts : splits(rows)) {
                float[] losses = randomFloats(rnd, rows, 5), probs = randomFloats(rnd, rows * V, 5),
                        correct = randomFloats(rnd, rows, 5);   // must be overwritten
                runSplit(cuts, (o, n) -> CrossEntropyVector.forward(losses, probs, correct, logits, targets, V, o, n));
                if (first == null) {
                    checkForward(what, logits, targets, rows, V, losses, probs);
                    assertArrayEquals(pCorrect, correct, what + " correct");
                    first = new float[][] {losses, probs, correct};
                } else {
                    String split = what + " split " + Arrays.toString(cuts);
                    assertArrayEquals(first[0], losses, split);
                    assertArrayEquals(first[1], probs, split);
                    assertArrayEquals(first[2], correct, split);
                }
            }
        }
    }

    /**
     * Ties for the maximum: all equal; the same maximum in two vectors (and in the masked tail);
     * −0 before +0. The portable kernel's first strict maximum is the lowest index; the fast path
     * must name the same one: for each target t tried, correct is 1 exactly when t is that index.
     */
    @Test
    void argmaxTiesGoToTheLowestIndexAsInPortable() {
        for (int V : new int[] {2, 3, 8, 9, 20, 256, 259}) {
            float[][] rows = {
                    filled(V, 2f),
                    withAt(withAt(filled(V, -1f), V / 2, 5f), V - 1, 5f),
                    withAt(withAt(filled(V, -1f), 1, 5f), V - 1, 5f),
                    withAt(withAt(filled(V, -1f), 1, -0f), V - 1, 0f),
                    withAt(withAt(filled(V, -1f), V - 2, 0f), V - 1, -0f),
            };
            int[] expected = {0, V / 2, 1, 1, V - 2};
            for (int k = 0; k < rows.length; k++) {
                float[] logits = rows[k];
                for (int t : new int[] {0, 1, V / 2, V - 2, V - 1}) {   // every tied index and more
                    int[] targets = {t};
                    float[] loss = new float[1], probs = new float[V], correct = {7f};
                    float[] pCorrect = {7f};
                    CrossEntropy.forward(new float[1], new float[V], pCorrect, logits, targets, V, 0, 1);
                    CrossEntropyVector.forward(loss, probs, correct, logits, targets, V, 0, 1);
                    String what = "V=" + V + " row " + k + " target " + t;
                    assertEquals(t == expected[k] ? 1f : 0f, pCorrect[0], what + " portable");
                    assertEquals(pCorrect[0], correct[0], what);
                }
            }
        }
    }

    static float[] filled(int n, float value) {
        float[] a = new float[n];
        Arrays.fill(a, value);
        return a;
    }

    static float[] withAt(float[] a, int i, float value) {
        a[i] = value;
        return a;
    }

    @Test
    void backwardWritesBitIdenticalToPortableIgnoredRowsZero() {
        SplittableRandom rnd = new SplittableRandom(32);
        for (int[] s : SHAPES) {
            int rows = s[0], V = s[1];
            float[] logits = logits(rnd, rows, V);
            int[] targets = targets(rnd, rows, V);
            float[] probs = new float[rows * V];
            CrossEntropy.forward(new float[rows], probs, new float[rows], logits, targets, V, 0, rows);
            float[] scale = {0.37f};
            float[] want = new float[rows * V];
            CrossEntropy.backward(want, probs, targets, scale, V, 0, rows);
            for (int[] cuts : splits(rows)) {
                float[] dlogits = randomFloats(rnd, rows * V, 5);   // written, not accumulated
                runSplit(cuts, (o, n) -> CrossEntropyVector.backward(dlogits, probs, targets, scale, V, o, n));
                assertArrayEquals(want, dlogits, "backward " + rows + "x" + V + " split " + Arrays.toString(cuts));
                for (int r = 1; r < rows; r += 3) {
                    for (int v = 0; v < V; v++) {
                        assertEquals(0f, dlogits[r * V + v], "ignored row " + r);
                    }
                }
            }
        }
    }
}
