package modej.engine.kernel;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Central finite differences in double precision, and the comparisons the kernel tests share.
 * A backward kernel is checked against the gradient of an independent double-precision forward
 * of the scalar {@code L = Σ r·out} for a fixed random {@code r}: {@code dout = r}.
 */
public final class GradCheck {

    private GradCheck() {
    }

    /** ∂f/∂x_i for every i, by (f(x+h) − f(x−h)) / 2h. */
    public static double[] numeric(ToDoubleFunction<double[]> f, double[] x, double h) {
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double keep = x[i];
            x[i] = keep + h;
            double plus = f.applyAsDouble(x);
            x[i] = keep - h;
            double minus = f.applyAsDouble(x);
            x[i] = keep;
            g[i] = (plus - minus) / (2 * h);
        }
        return g;
    }

    /** Σ r_i · y_i. */
    public static double dot(double[] r, double[] y) {
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            s += r[i] * y[i];
        }
        return s;
    }

    public static float[] randomFloats(SplittableRandom rnd, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
        }
        return a;
    }

    public static double[] toDouble(float[] a, int from, int length) {
        double[] d = new double[length];
        for (int i = 0; i < length; i++) {
            d[i] = a[from + i];
        }
        return d;
    }

    public static double[] toDouble(float[] a) {
        return toDouble(a, 0, a.length);
    }

    /**
     * Fails unless {@code |actual − expected| ≤ atol + rtol·|expected|} everywhere, naming the
     * first index that differs.
     */
    public static void assertClose(String what, double[] expected, float[] actual, int actualFrom,
                                   double atol, double rtol) {
        for (int i = 0; i < expected.length; i++) {
            double a = actual[actualFrom + i];
            if (!(Math.abs(a - expected[i]) <= atol + rtol * Math.abs(expected[i]))) {
                fail(what + "[" + i + "]: expected " + expected[i] + " but was " + a
                        + " (atol " + atol + ", rtol " + rtol + ")");
            }
        }
    }

    public static void assertClose(String what, double[] expected, float[] actual, double atol, double rtol) {
        assertClose(what, expected, actual, 0, atol, rtol);
    }
}
