package modej.engine.kernel;

/** Residual connection: {@code out = a + b}. Shapes: a (n), b (n), out (n). */
public final class Residual {

    private Residual() {
    }

    /** out (n) = a (n) + b (n). Parallel over elements. */
    public static void forward(float[] out, float[] a, float[] b, int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int j = offset + i;
            out[j] = a[j] + b[j];
        }
    }

    /** da (n) += dout (n); db (n) += dout (n). Parallel over elements. */
    public static void backward(float[] da, float[] db, float[] dout, int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int j = offset + i;
            da[j] += dout[j];
            db[j] += dout[j];
        }
    }
}
