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

    /**
     * tanh through one float exp ({@link FloatMath#exp}), which the JIT and TornadoVM both turn into
     * fast code ({@code Math.tanh} is several times slower on the JVM, and double on a device). |u| is
     * clamped at 15, where tanh is 1 to float precision.
     */
    static float tanh(float u) {
        float e = FloatMath.exp(2f * Math.min(15f, Math.max(-15f, u)));
        return (e - 1f) / (e + 1f);
    }

    /** out (n) = gelu(inp (n)). Parallel over elements. */
    public static void forward(float[] out, float[] inp, int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int j = offset + i;
            float x = inp[j];
            float th = tanh(SCALE * (x + CUBE * x * x * x));
            out[j] = 0.5f * x * (1f + th);
        }
    }

    /**
     * dinp (n) = gelu'(inp (n)) · dout (n): written, not accumulated (the MLP's only path into
     * dinp, so no caller has to zero it first: one pass less over a (B·T, 4C) buffer). Parallel over
     * elements.
     */
    public static void backward(float[] dinp, float[] inp, float[] dout, int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int j = offset + i;
            float x = inp[j];
            float th = tanh(SCALE * (x + CUBE * x * x * x));
            float sech2 = 1f - th * th;
            float grad = 0.5f * (1f + th) + 0.5f * x * sech2 * SCALE * (1f + 3f * CUBE * x * x);
            dinp[j] = grad * dout[j];
        }
    }
}
