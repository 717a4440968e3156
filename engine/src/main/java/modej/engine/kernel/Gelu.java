package modej.engine.kernel;

/**
 * GELU, tanh approximation as in GPT-2: {@code 0.5·x·(1 + tanh(sqrt(2/π)·(x + 0.044715·x³)))}.
 *
 * <p>Shapes: inp (n), out (n), elementwise over any flat range.
 */
public final class Gelu {

    /** sqrt(2/π). */
    private static final float SCALE = 0.7978845608028654f;
    private static final float CUBE = 0.044715f;

    private Gelu() {
    }

    /** out (n) = gelu(inp (n)). Parallel over elements. */
    public static void forward(float[] out, float[] inp, int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int j = offset + i;
            float x = inp[j];
            float th = (float) Math.tanh(SCALE * (x + CUBE * x * x * x));
            out[j] = 0.5f * x * (1f + th);
        }
    }

    /** dinp (n) += gelu'(inp (n)) · dout (n). Parallel over elements. */
    public static void backward(float[] dinp, float[] inp, float[] dout, int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int j = offset + i;
            float x = inp[j];
            float th = (float) Math.tanh(SCALE * (x + CUBE * x * x * x));
            float sech2 = 1f - th * th;
            float grad = 0.5f * (1f + th) + 0.5f * x * sech2 * SCALE * (1f + 3f * CUBE * x * x);
            dinp[j] += grad * dout[j];
        }
    }
}
