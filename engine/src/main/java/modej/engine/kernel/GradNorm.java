package modej.engine.kernel;

/**
 * The gradients' global L2 norm and its clipping, as kernels, so that a device backend does not
 * move every gradient to the host each step: sums of squares over fixed chunks of a gradient
 * buffer (on the device; only the partial sums go to the host, which adds them in double), and
 * the scaling of a gradient buffer by a factor the host sets.
 *
 * <p>Shapes: grads (n); partials hold ⌈n / {@value #CHUNK}⌉ sums from {@code pOff}; factor (1).
 */
public final class GradNorm {

    /** Elements per partial sum. */
    public static final int CHUNK = 1024;

    private GradNorm() {
    }

    /**
     * partials[pOff + c] = Σ grads[j]² over chunk c, j in [c·CHUNK, min(n, (c + 1)·CHUNK)), summed in
     * float with j ascending. Parallel over chunks: the same sums for any number of workers.
     */
    public static void sumsOfSquares(float[] partials, int pOff, float[] grads, int n, int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int c = offset + i;
            int from = c * CHUNK;
            int to = Math.min(n, from + CHUNK);
            float s = 0f;
            for (int j = from; j < to; j++) {
                float g = grads[j];
                s += g * g;
            }
            partials[pOff + c] = s;
        }
    }

    /** grads (n) = factor[0] · grads. Parallel over elements. */
    public static void scale(float[] grads, float[] factor, int offset, int count) {
        float f = factor[0];
        for (@Parallel int i = 0; i < count; i++) {
            int j = offset + i;
            grads[j] = f * grads[j];
        }
    }
}
