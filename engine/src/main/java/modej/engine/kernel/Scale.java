package modej.engine.kernel;

/** Multiplication by a constant: {@code out = scale · inp} (LoRA's alpha / rank). Shapes: inp (n), out (n). */
public final class Scale {

    private Scale() {
    }

    /** out (n) = scale · inp (n). Parallel over elements. */
    public static void forward(float[] out, float[] inp, float scale, int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int j = offset + i;
            out[j] = scale * inp[j];
        }
    }

    /** dinp (n) += scale · dout (n). Parallel over elements. */
    public static void backward(float[] dinp, float[] dout, float scale, int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int j = offset + i;
            dinp[j] += scale * dout[j];
        }
    }
}
