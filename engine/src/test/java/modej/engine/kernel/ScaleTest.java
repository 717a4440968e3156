package modej.engine.kernel;

import static modej.engine.kernel.GradCheck.assertClose;
import static modej.engine.kernel.GradCheck.dot;
import static modej.engine.kernel.GradCheck.numeric;
import static modej.engine.kernel.GradCheck.randomFloats;
import static modej.engine.kernel.GradCheck.toDouble;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class ScaleTest {

    static final int N = 13;
    static final float SCALE = -2.5f;

    /** Independent double-precision reference: out = scale · inp. */
    static double[] reference(double[] inp) {
        double[] out = new double[inp.length];
        for (int i = 0; i < inp.length; i++) {
            out[i] = (double) SCALE * inp[i];
        }
        return out;
    }

    @Test
    void forwardMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(81);
        float[] inp = randomFloats(rnd, N, 1);
        float[] out = new float[N];
        Arrays.fill(out, Float.NaN); // forward writes every element
        Scale.forward(out, inp, SCALE, 0, 5);
        Scale.forward(out, inp, SCALE, 5, N - 5);
        assertClose("out", reference(toDouble(inp)), out, 1e-6, 1e-6);
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        SplittableRandom rnd = new SplittableRandom(82);
        float[] inp = randomFloats(rnd, N, 1);
        float[] dout = randomFloats(rnd, N, 1);
        double[] r = toDouble(dout);

        // gradients accumulate: start from non-zero values and subtract them afterwards
        float[] dinp = randomFloats(rnd, N, 1);
        float[] dinp0 = dinp.clone();
        Scale.backward(dinp, dout, SCALE, 0, 8);
        Scale.backward(dinp, dout, SCALE, 8, N - 8);
        for (int i = 0; i < N; i++) {
            dinp[i] -= dinp0[i];
        }
        assertClose("dinp", numeric(v -> dot(r, reference(v)), toDouble(inp), 1e-4), dinp, 1e-5, 1e-5);
    }
}
