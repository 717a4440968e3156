package modej.engine.kernel;

import static modej.engine.kernel.GradCheck.assertClose;
import static modej.engine.kernel.GradCheck.numeric;
import static modej.engine.kernel.GradCheck.randomFloats;
import static modej.engine.kernel.GradCheck.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class CrossEntropyTest {

    static final int ROWS = 6, V = 7;
    // row 1 is ignored
    static final int[] TARGETS = {3, -1, 0, 6, 2, 5};

    /** Independent double-precision softmax (rows, V), computed directly as exp / Σ exp. */
    static double[] probabilities(double[] logits, int rows, int v) {
        double[] p = new double[rows * v];
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int i = 0; i < v; i++) {
                sum += Math.exp(logits[r * v + i]);
            }
            for (int i = 0; i < v; i++) {
                p[r * v + i] = Math.exp(logits[r * v + i]) / sum;
            }
        }
        return p;
    }

    /** Reference losses (rows): −log p[target], 0 for an ignored row. */
    static double[] losses(double[] logits, int[] targets, int rows, int v) {
        double[] p = probabilities(logits, rows, v);
        double[] loss = new double[rows];
        for (int r = 0; r < rows; r++) {
            loss[r] = targets[r] < 0 ? 0 : -Math.log(p[r * v + targets[r]]);
        }
        return loss;
    }

    /** Random logits; row 4 is shifted by 200, where exp without the maximum subtracted overflows float. */
    static float[] logits(SplittableRandom rnd) {
        float[] logits = randomFloats(rnd, ROWS * V, 3);
        for (int i = 0; i < V; i++) {
            logits[4 * V + i] += 200f;
        }
        return logits;
    }

    @Test
    void forwardMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(61);
        float[] logits = logits(rnd);
        float[] loss = new float[ROWS], probs = new float[ROWS * V], correct = new float[ROWS];
        Arrays.fill(loss, Float.NaN); // forward writes every element of each output
        Arrays.fill(probs, Float.NaN);
        Arrays.fill(correct, Float.NaN);
        CrossEntropy.forward(loss, probs, correct, logits, TARGETS, V, 0, 2);
        CrossEntropy.forward(loss, probs, correct, logits, TARGETS, V, 2, ROWS - 2);

        double[] x = toDouble(logits);
        assertClose("probs", probabilities(x, ROWS, V), probs, 1e-6, 1e-5);
        assertClose("losses", losses(x, TARGETS, ROWS, V), loss, 1e-5, 1e-5);
        assertEquals(0f, loss[1], "ignored row's loss");
        assertEquals(0f, correct[1], "ignored row's correct");
    }

    @Test
    void accuracyOnConstructedCase() {
        int v = 4;
        float[] logits = {
                1, 3, 3, 0,  // arg-max tie between 1 and 2: the lowest index, 1, counts
                1, 3, 3, 0,
                5, 0, 0, 0,
                0, 0, 0, 7,
                0, 0, 0, 7,  // ignored row whose arg-max would be right
                2, 2, 2, 2,  // all tied: index 0
        };
        int[] targets = {1, 2, 0, 2, -1, 0};
        float[] loss = new float[6], probs = new float[6 * v], correct = new float[6];
        Arrays.fill(correct, Float.NaN);
        CrossEntropy.forward(loss, probs, correct, logits, targets, v, 0, 3);
        CrossEntropy.forward(loss, probs, correct, logits, targets, v, 3, 3);
        assertArrayEquals(new float[] {1, 0, 1, 0, 0, 1}, correct);
        assertEquals(0f, loss[4], "ignored row's loss");
        assertEquals((float) Math.log(4), loss[5], 1e-6f, "uniform row's loss");
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        SplittableRandom rnd = new SplittableRandom(62);
        float[] logits = logits(rnd);
        float[] loss = new float[ROWS], probs = new float[ROWS * V], correct = new float[ROWS];
        CrossEntropy.forward(loss, probs, correct, logits, TARGETS, V, 0, ROWS);

        // mean over the 5 valid rows, as a training step would scale it
        float[] scale = {1f / 5};
        float[] dlogits = new float[ROWS * V];
        Arrays.fill(dlogits, Float.NaN); // backward writes every element, ignored rows included
        CrossEntropy.backward(dlogits, probs, TARGETS, scale, V, 0, 4);
        CrossEntropy.backward(dlogits, probs, TARGETS, scale, V, 4, ROWS - 4);

        double s = scale[0];
        double[] expected = numeric(x -> {
            double sum = 0;
            for (double l : losses(x, TARGETS, ROWS, V)) {
                sum += s * l;
            }
            return sum;
        }, toDouble(logits), 1e-4);
        assertClose("dlogits", expected, dlogits, 1e-5, 1e-4);
        for (int i = 0; i < V; i++) {
            assertEquals(0f, dlogits[V + i], "ignored row's dlogits[" + i + "]");
        }

        // the scale is read at run time: a new value changes the result without recompiling
        scale[0] = 2f;
        CrossEntropy.backward(dlogits, probs, TARGETS, scale, V, 0, ROWS);
        assertClose("dlogits at scale 2", Arrays.stream(expected).map(g -> g * 2 / s).toArray(), dlogits, 1e-5, 1e-4);
    }
}
