package modej.engine.kernel;

import static modej.engine.kernel.GradCheck.assertClose;
import static modej.engine.kernel.GradCheck.dot;
import static modej.engine.kernel.GradCheck.numeric;
import static modej.engine.kernel.GradCheck.randomFloats;
import static modej.engine.kernel.GradCheck.toDouble;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class ResidualTest {

    static final int N = 13;

    /** Independent double-precision reference: out = a + b. */
    static double[] reference(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] + b[i];
        }
        return out;
    }

    @Test
    void forwardMatchesReference() {
        SplittableRandom rnd = new SplittableRandom(41);
        float[] a = randomFloats(rnd, N, 1), b = randomFloats(rnd, N, 1);
        float[] out = new float[N];
        Arrays.fill(out, Float.NaN); // forward writes every element
        Residual.forward(out, a, b, 0, 4);
        Residual.forward(out, a, b, 4, N - 4);
        assertClose("out", reference(toDouble(a), toDouble(b)), out, 1e-6, 1e-6);
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        SplittableRandom rnd = new SplittableRandom(42);
        float[] a = randomFloats(rnd, N, 1), b = randomFloats(rnd, N, 1);
        float[] dout = randomFloats(rnd, N, 1);
        double[] r = toDouble(dout), x = toDouble(a), y = toDouble(b);

        // gradients accumulate: start from non-zero values and subtract them afterwards
        float[] da = randomFloats(rnd, N, 1), db = randomFloats(rnd, N, 1);
        float[] da0 = da.clone(), db0 = db.clone();
        Residual.backward(da, db, dout, 0, 6);
        Residual.backward(da, db, dout, 6, N - 6);
        for (int i = 0; i < N; i++) {
            da[i] -= da0[i];
            db[i] -= db0[i];
        }
        assertClose("da", numeric(v -> dot(r, reference(v, y)), x, 1e-4), da, 1e-5, 1e-5);
        assertClose("db", numeric(v -> dot(r, reference(x, v)), y, 1e-4), db, 1e-5, 1e-5);
    }
}
