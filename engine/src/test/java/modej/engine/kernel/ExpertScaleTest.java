package modej.engine.kernel;

import static modej.engine.kernel.GradCheck.assertClose;
import static modej.engine.kernel.GradCheck.dot;
import static modej.engine.kernel.GradCheck.numeric;
import static modej.engine.kernel.GradCheck.randomFloats;
import static modej.engine.kernel.GradCheck.toDouble;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class ExpertScaleTest {

    static final int ROWS = 5, E = 3, R = 4;
    static final float SCALE = 1.75f;

    /** Independent double-precision reference: h[row][e][k] = scale · w[row][e] · raw[row][e][k]. */
    static double[] reference(double[] raw, double[] w) {
        double[] h = new double[ROWS * E * R];
        for (int row = 0; row < ROWS; row++) {
            for (int e = 0; e < E; e++) {
                for (int k = 0; k < R; k++) {
                    int j = row * E * R + e * R + k;
                    h[j] = SCALE * w[row * E + e] * raw[j];
                }
            }
        }
        return h;
    }

    @Test
    void forwardMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(91);
        float[] raw = randomFloats(rnd, ROWS * E * R, 1), w = randomFloats(rnd, ROWS * E, 1);
        float[] h = new float[ROWS * E * R];
        Arrays.fill(h, Float.NaN); // forward writes every element
        ExpertScale.forward(h, raw, w, SCALE, E, R, 0, 2);
        ExpertScale.forward(h, raw, w, SCALE, E, R, 2, ROWS - 2);
        assertClose("h", reference(toDouble(raw), toDouble(w)), h, 1e-6, 1e-6);
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        SplittableRandom rnd = new SplittableRandom(92);
        float[] raw = randomFloats(rnd, ROWS * E * R, 1), w = randomFloats(rnd, ROWS * E, 1);
        float[] dh = randomFloats(rnd, ROWS * E * R, 1);
        double[] r = toDouble(dh);
        float[] draw = new float[ROWS * E * R], dw = new float[ROWS * E];
        Arrays.fill(draw, Float.NaN); // both outputs are written, not accumulated
        Arrays.fill(dw, Float.NaN);
        ExpertScale.backward(draw, dw, dh, raw, w, SCALE, E, R, 0, 3);
        ExpertScale.backward(draw, dw, dh, raw, w, SCALE, E, R, 3, ROWS - 3);
        double[] wd = toDouble(w), rawd = toDouble(raw);
        assertClose("draw", numeric(v -> dot(r, reference(v, wd)), toDouble(raw), 1e-4), draw, 1e-5, 1e-5);
        assertClose("dweights", numeric(v -> dot(r, reference(rawd, v)), toDouble(w), 1e-4), dw, 1e-5, 1e-5);
    }
}
