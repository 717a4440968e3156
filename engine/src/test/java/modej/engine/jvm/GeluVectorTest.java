package modej.engine.jvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import modej.engine.kernel.GradCheck;
import modej.engine.kernel.Gelu;

class GeluVectorTest {

    static final int N = 1000 + 3; // not a multiple of any vector length

    static float[] inputs() {
        float[] x = GradCheck.randomFloats(new SplittableRandom(1), N, 6);
        x[0] = 0f;
        x[1] = -30f;  // tanh saturates: exp's clamp must keep it finite
        x[2] = 30f;
        return x;
    }

    @Test
    void expMatchesMathExpWithinTwoUlps() {
        for (float x = -87f; x <= 87f; x += 0.37f) {
            float want = (float) Math.exp(x);
            assertEquals(want, VectorMath.exp(x), 2 * Math.ulp(want), "exp(" + x + ")");
        }
        float[] xs = {-3.3f, 0f, 0.5f, 1f, 10f, 42f, -42f, 80f};
        float[] out = new float[xs.length];
        for (int i = 0; i < xs.length; i += VectorMath.F.length()) {
            var m = VectorMath.F.indexInRange(i, xs.length);
            VectorMath.exp(jdk.incubator.vector.FloatVector.fromArray(VectorMath.F, xs, i, m)).intoArray(out, i, m);
        }
        for (int i = 0; i < xs.length; i++) {
            assertEquals(Float.floatToIntBits(VectorMath.exp(xs[i])), Float.floatToIntBits(out[i]), "lane " + i);
        }
    }

    @Test
    void forwardMatchesPortableAndIsSplitInvariant() {
        float[] x = inputs(), want = new float[N], a = new float[N], b = new float[N];
        Gelu.forward(want, x, 0, N);
        GeluVector.forward(a, x, 0, N);
        GeluVector.forward(b, x, 0, 333);
        GeluVector.forward(b, x, 333, 5);
        GeluVector.forward(b, x, 338, N - 338);
        assertArrayEquals(a, b, "split");
        for (int i = 0; i < N; i++) {
            assertEquals(want[i], a[i], 1e-6 + 2e-6 * Math.abs(want[i]), "gelu(" + x[i] + ")");
        }
    }

    @Test
    void backwardWritesMatchesPortableAndIsSplitInvariant() {
        float[] x = inputs(), dout = GradCheck.randomFloats(new SplittableRandom(2), N, 1);
        float[] want = new float[N], a = new float[N], b = new float[N];
        java.util.Arrays.fill(a, Float.NaN);     // written, not accumulated: old contents must not show
        java.util.Arrays.fill(b, 7f);
        Gelu.backward(want, x, dout, 0, N);
        GeluVector.backward(a, x, dout, 0, N);
        GeluVector.backward(b, x, dout, 0, 101);
        GeluVector.backward(b, x, dout, 101, N - 101);
        assertArrayEquals(a, b, "split");
        for (int i = 0; i < N; i++) {
            assertEquals(want[i], a[i], 1e-5 + 1e-5 * Math.abs(want[i]), "dinp at x=" + x[i]);
        }
    }
}
