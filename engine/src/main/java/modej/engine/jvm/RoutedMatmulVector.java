package modej.engine.jvm;

import modej.engine.kernel.RoutedMatmul;

/**
 * Vector API fast path of {@link RoutedMatmul}: the routed rows are gathered into a packed scratch
 * block, multiplied there by {@link MatmulVector}'s packed {@link Gemm} (so an unrouted row costs a
 * test of its weight, not a product), and scattered back. Each output element is one fma chain over
 * k ascending whatever the block, so results are bit-identical for any split of the parallel range
 * and equal {@link MatmulVector}'s on the routed rows; they differ from the portable kernel only by
 * float rounding.
 *
 * <p>Shapes as {@link RoutedMatmul}: inp (rows, C), weight (OC, C), bias (OC), out (rows, OC),
 * weights (rows, E1).
 */
public final class RoutedMatmulVector {

    private RoutedMatmulVector() {
    }

    /** Per-thread gather buffers, grown on demand. */
    private static final class Packed {
        float[] a = new float[0], b = new float[0];
        int[] rows = new int[0];

        float[] a(int n) {
            if (a.length < n) {
                a = new float[n];
            }
            return a;
        }

        float[] b(int n) {
            if (b.length < n) {
                b = new float[n];
            }
            return b;
        }

        int[] rows(int n) {
            if (rows.length < n) {
                rows = new int[n];
            }
            return rows;
        }
    }

    private static final ThreadLocal<Packed> PACKED = ThreadLocal.withInitial(Packed::new);

    /** The routed rows among [from, to), ascending, into {@code into}; returns how many. */
    private static int routed(int[] into, float[] weights, int source, int E1, int from, int to) {
        int n = 0;
        for (int r = from; r < to; r++) {
            if (weights[r * E1 + source] != 0f) {
                into[n++] = r;
            }
        }
        return n;
    }

    /** dst (n, width) = the rows {@code rows[0..n)} of src (·, width). */
    private static void gather(float[] dst, float[] src, int[] rows, int n, int width) {
        for (int i = 0; i < n; i++) {
            System.arraycopy(src, rows[i] * width, dst, i * width, width);
        }
    }

    /** The rows {@code rows[0..n)} of dst (·, width) = src (n, width). */
    private static void scatter(float[] dst, float[] src, int[] rows, int n, int width) {
        for (int i = 0; i < n; i++) {
            System.arraycopy(src, i * width, dst, rows[i] * width, width);
        }
    }

    /** out (rows, OC) = inp · weightᵀ + bias on routed rows, 0 on the others; rows [offset, offset + count). */
    public static void forward(float[] out, float[] inp, float[] params, int wOff, int bOff, float[] weights,
                               int source, int E1, int C, int OC, int offset, int count) {
        Packed p = PACKED.get();
        int[] rows = p.rows(count);
        int n = routed(rows, weights, source, E1, offset, offset + count);
        java.util.Arrays.fill(out, offset * OC, (offset + count) * OC, 0f);
        if (n == 0) {
            return;
        }
        float[] a = p.a(n * C), y = p.b(n * OC);
        gather(a, inp, rows, n, C);
        MatmulVector.forward(y, a, params, wOff, bOff, C, OC, 0, n);
        scatter(out, y, rows, n, OC);
    }

    /** dinp (rows, C) += dout · weight on routed rows; rows [offset, offset + count). */
    public static void backwardInput(float[] dinp, float[] dout, float[] params, int wOff, float[] weights,
                                     int source, int E1, int C, int OC, int offset, int count) {
        Packed p = PACKED.get();
        int[] rows = p.rows(count);
        int n = routed(rows, weights, source, E1, offset, offset + count);
        if (n == 0) {
            return;
        }
        float[] a = p.a(n * OC), d = p.b(n * C);
        gather(a, dout, rows, n, OC);
        gather(d, dinp, rows, n, C);
        MatmulVector.backwardInput(d, a, params, wOff, C, OC, 0, n);
        scatter(dinp, d, rows, n, C);
    }

    /**
     * dweight (OC, C) += Σ over routed rows of doutᵀ · inp; dbias (OC) += Σ over routed rows of
     * dout unless {@code dbOff < 0}; output channels [offset, offset + count). Every call gathers all
     * routed rows (of dout and inp) once.
     */
    public static void backwardParams(float[] grads, int dwOff, int dbOff, float[] dout, float[] inp, float[] weights,
                                      int source, int E1, int rows, int C, int OC, int offset, int count) {
        Packed p = PACKED.get();
        int[] routed = p.rows(rows);
        int n = routed(routed, weights, source, E1, 0, rows);
        if (n == 0) {
            return;
        }
        float[] d = p.a(n * OC), x = p.b(n * C);
        gather(d, dout, routed, n, OC);
        gather(x, inp, routed, n, C);
        MatmulVector.backwardParams(grads, dwOff, dbOff, d, x, n, C, OC, offset, count);
    }
}
