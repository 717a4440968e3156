package modej.engine.kernel;

import static modej.engine.kernel.GradCheck.assertClose;
import static modej.engine.kernel.GradCheck.randomFloats;
import static modej.engine.kernel.GradCheck.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class AdamWTest {

    static final int LEN = 17, BASE = 4, N = 9; // the optimiser owns [BASE, BASE + N) of the arrays
    static final float BETA1 = 0.9f, BETA2 = 0.95f, EPS = 1e-8f, WD = 0.1f;

    @Test
    void threeStepsMatchDoubleReference() {
        SplittableRandom rnd = new SplittableRandom(71);
        float[] params = randomFloats(rnd, LEN, 1);
        float[] m = new float[LEN], v = new float[LEN];
        float[] params0 = params.clone();
        // outside the owned range: values that must not change
        for (int i = 0; i < LEN; i++) {
            if (i < BASE || i >= BASE + N) {
                m[i] = 7f;
                v[i] = 9f;
            }
        }

        // the double reference, on the owned range only
        double[] p = toDouble(params, BASE, N), rm = new double[N], rv = new double[N];
        float[] learningRate = new float[1];
        int[] step = new int[1];
        double[] rates = {1e-2, 3e-2, 5e-3};
        for (int s = 1; s <= 3; s++) {
            float[] grads = randomFloats(rnd, LEN, s); // gradients of growing size
            float[] grads0 = grads.clone();
            learningRate[0] = (float) rates[s - 1];
            step[0] = s;
            AdamW.update(params, grads, m, v, learningRate, step, BETA1, BETA2, EPS, WD, BASE, 0, 4);
            AdamW.update(params, grads, m, v, learningRate, step, BETA1, BETA2, EPS, WD, BASE, 4, N - 4);
            assertArrayEquals(grads0, grads, "grads are only read");

            double lr = learningRate[0], b1 = BETA1, b2 = BETA2;
            for (int i = 0; i < N; i++) {
                double g = grads[BASE + i];
                rm[i] = b1 * rm[i] + (1 - b1) * g;
                rv[i] = b2 * rv[i] + (1 - b2) * g * g;
                double mhat = rm[i] / (1 - Math.pow(b1, s));
                double vhat = rv[i] / (1 - Math.pow(b2, s));
                p[i] = p[i] - lr * (mhat / (Math.sqrt(vhat) + EPS) + WD * p[i]);
            }
            assertClose("params after step " + s, p, params, BASE, 1e-6, 1e-5);
            assertClose("m after step " + s, rm, m, BASE, 1e-7, 1e-5);
            assertClose("v after step " + s, rv, v, BASE, 1e-8, 1e-5);
        }
        for (int i = 0; i < LEN; i++) {
            if (i < BASE || i >= BASE + N) {
                assertEquals(params0[i], params[i], "params[" + i + "] is outside the range");
                assertEquals(7f, m[i], "m[" + i + "] is outside the range");
                assertEquals(9f, v[i], "v[" + i + "] is outside the range");
            }
        }
    }

    @Test
    void zeroGradClearsOnlyItsRange() {
        SplittableRandom rnd = new SplittableRandom(72);
        float[] grads = randomFloats(rnd, LEN, 1);
        float[] grads0 = grads.clone();
        AdamW.zeroGrad(grads, BASE, 0, 5);
        AdamW.zeroGrad(grads, BASE, 5, N - 5);
        for (int i = 0; i < LEN; i++) {
            float expected = i >= BASE && i < BASE + N ? 0f : grads0[i];
            assertEquals(expected, grads[i], "grads[" + i + "]");
        }
    }
}
