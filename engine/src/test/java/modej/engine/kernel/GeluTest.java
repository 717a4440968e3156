package modej.engine.kernel;

import static modej.engine.kernel.GradCheck.assertClose;
import static modej.engine.kernel.GradCheck.dot;
import static modej.engine.kernel.GradCheck.numeric;
import static modej.engine.kernel.GradCheck.randomFloats;
import static modej.engine.kernel.GradCheck.toDouble;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class GeluTest {

    static final int N = 23;

    /** Independent double-precision reference: 0.5·x·(1 + tanh(sqrt(2/π)·(x + 0.044715·x³))). */
    static double[] reference(double[] inp) {
        double[] out = new double[inp.length];
        for (int i = 0; i < inp.length; i++) {
            double x = inp[i];
            out[i] = 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
        }
        return out;
    }

    /** Values across [-4, 4], plus the saturated tails and 0. */
    static float[] input(SplittableRandom rnd) {
        float[] inp = randomFloats(rnd, N, 4);
        inp[0] = 0f;
        inp[1] = -9f;
        inp[2] = 9f;
        inp[3] = -0.5f;
        return inp;
    }

    @Test
    void forwardMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(31);
        float[] inp = input(rnd);
        float[] out = new float[N];
        Arrays.fill(out, Float.NaN); // forward writes every element
        Gelu.forward(out, inp, 0, 7);
        Gelu.forward(out, inp, 7, N - 7);
        assertClose("out", reference(toDouble(inp)), out, 1e-6, 1e-6);
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        SplittableRandom rnd = new SplittableRandom(32);
        float[] inp = input(rnd);
        float[] dout = randomFloats(rnd, N, 1);
        double[] r = toDouble(dout);

        // dinp is written, not accumulated: whatever it held before must not matter
        float[] dinp = new float[N];
        Arrays.fill(dinp, Float.NaN);
        Gelu.backward(dinp, inp, dout, 0, 10);
        Gelu.backward(dinp, inp, dout, 10, N - 10);
        assertClose("dinp", numeric(x -> dot(r, reference(x)), toDouble(inp), 1e-5), dinp, 1e-5, 1e-5);
    }
}
