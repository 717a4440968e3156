package modej.engine.kernelrules;

import java.util.function.IntSupplier;
import java.util.function.IntUnaryOperator;

import modej.engine.kernel.Gelu;

/**
 * Deliberately breaks each kernel rule, one method per kind, for KernelRulesTest to prove that its
 * checker catches them. Lives outside {@code modej.engine.kernel} so the real check never scans it.
 * The {@code good*} methods break nothing and must pass.
 */
@SuppressWarnings("unused")
public final class BadKernel {

    static final IllegalStateException FAILURE = new IllegalStateException("bad kernel");
    static final IntUnaryOperator NEGATE = x -> -x;

    private BadKernel() {
    }

    // ---- allowed ------------------------------------------------------------------------------

    public static void good(float[] out, float[] inp, int[] index, int n, float s, int offset, int count) {
        for (int i = 0; i < count; i++) {
            int j = offset + i;
            out[j] = goodHelper(inp[index[j]], s) + (float) Math.sqrt(n); // a double sqrt is allowed
        }
        Gelu.forward(out, inp, offset, count); // a static method of a kernel class
    }

    private static float goodHelper(float x, float s) {
        return Math.max(x, 0f) * s;
    }

    // ---- signature rules ----------------------------------------------------------------------

    public void instanceMethod(float[] out, int offset, int count) {
        out[offset] = count;
    }

    public static int returnsValue(float[] out, int offset, int count) {
        return count;
    }

    public static void doubleParameter(float[] out, double x, int offset, int count) {
        out[offset] = (float) x;
    }

    public static void matrixParameter(float[][] out, int offset, int count) {
        out[offset][0] = count;
    }

    public static void sixteenParameters(float[] a, float[] b, float[] c, float[] d, float[] e, float[] f, float[] g,
                                         float[] h, int i, int j, int k, int l, int m, int n, int offset, int count) {
        a[offset] = count;
    }

    public static void wrongNames(float[] out, int from, int n) {
        out[from] = n;
    }

    public static void countIsFloat(float[] out, int offset, float count) {
        out[offset] = count;
    }

    public static void noOffsetCount(float[] out) {
        out[0] = 1f;
    }

    // ---- body rules ---------------------------------------------------------------------------

    public static void allocatesArray(float[] out, int offset, int count) {
        float[] tmp = new float[count];
        out[offset] = tmp.length;
    }

    public static void allocatesObjectArray(float[] out, int offset, int count) {
        float[][] rows = new float[count][];
        out[offset] = rows.length;
    }

    public static void allocatesMatrix(float[] out, int offset, int count) {
        float[][] m = new float[count][count];
        out[offset] = m.length;
    }

    public static void allocatesObject(float[] out, int offset, int count) {
        Object o = new Object(); // NEW, then INVOKESPECIAL of the constructor
        out[offset] = count;
    }

    public static void throwsException(float[] out, int offset, int count) {
        if (count < 0) {
            throw FAILURE; // no allocation here: only ATHROW
        }
        out[offset] = count;
    }

    public static void virtualCall(float[] out, int offset, int count) {
        out[offset] = out.hashCode();
    }

    public static void interfaceCall(float[] out, int offset, int count) {
        out[offset] = NEGATE.applyAsInt(count);
    }

    public static void dynamicCall(float[] out, int offset, int count) {
        IntSupplier one = () -> 1;
        out[offset] = count;
    }

    public static void foreignStaticCall(float[] out, float[] inp, int offset, int count) {
        System.arraycopy(inp, offset, out, offset, count);
    }

    public static void doubleExp(float[] out, float[] inp, int offset, int count) {
        for (int i = 0; i < count; i++) {
            out[offset + i] = (float) Math.exp(inp[offset + i]);
        }
    }

    public static void callsAllocatingHelper(float[] out, int offset, int count) {
        out[offset] = allocatingHelper(count);
    }

    private static float allocatingHelper(int n) {
        return new float[n].length;
    }

    private float instanceHelper(float x) {
        return x;
    }
}
