package modej.engine.jvm;

import jdk.incubator.vector.FloatVector;

import modej.engine.kernel.Matmul;

/**
 * Vector API fast path of {@link Matmul}: the same four methods with the same parameters, each a
 * call of the packed {@link Gemm}. Results are bit-identical for any split of the parallel range
 * (each output element is one fma chain over k ascending); they differ from the portable kernel
 * only by float rounding.
 *
 * <p>Shapes: inp (rows, C), weight (OC, C) at {@code params[wOff…]}, bias (OC) at
 * {@code params[bOff…]} or none when {@code bOff < 0}, out (rows, OC).
 */
public final class MatmulVector {

    private MatmulVector() {
    }

    /** out (rows, OC) = inp (rows, C) · weight (OC, C)ᵀ + bias (OC); rows [offset, offset + count). */
    public static void forward(float[] out, float[] inp, float[] params, int wOff, int bOff, int C, int OC,
                               int offset, int count) {
        if (bOff >= 0) {
            // The accumulators start from the bias.
            for (int r = offset; r < offset + count; r++) {
                System.arraycopy(params, bOff, out, r * OC, OC);
            }
        }
        // A = inp (row-major), B(k=c, j=o) = W[o][c] (stored transposed), C = out.
        Gemm.multiply(offset, offset + count, OC, C,
                inp, 0, C, 1,
                params, wOff, 1, C,
                out, 0, OC, bOff >= 0, Gemm.FULL);
    }

    /** out (rows, OC) += inp (rows, C) · weight (OC, C)ᵀ, no bias; rows [offset, offset + count). */
    public static void forwardAccumulate(float[] out, float[] inp, float[] params, int wOff, int C, int OC,
                                         int offset, int count) {
        // As forward, the accumulators starting from out.
        Gemm.multiply(offset, offset + count, OC, C,
                inp, 0, C, 1,
                params, wOff, 1, C,
                out, 0, OC, true, Gemm.FULL);
    }

    /** dinp (rows, C) += dout (rows, OC) · weight (OC, C); rows [offset, offset + count). */
    public static void backwardInput(float[] dinp, float[] dout, float[] params, int wOff, int C, int OC,
                                     int offset, int count) {
        // A = dout (row-major), B = W (row-major), C = dinp.
        Gemm.multiply(offset, offset + count, C, OC,
                dout, 0, OC, 1,
                params, wOff, C, 1,
                dinp, 0, C, true, Gemm.FULL);
    }

    /**
     * dweight (OC, C) += dout (rows, OC)ᵀ · inp (rows, C); dbias (OC) += Σ_rows dout unless
     * {@code dbOff < 0}; output channels [offset, offset + count).
     */
    public static void backwardParams(float[] grads, int dwOff, int dbOff, float[] dout, float[] inp,
                                      int rows, int C, int OC, int offset, int count) {
        // A(i=o, k=r) = dout[r][o] (stored transposed), B = inp (row-major), C = dweight.
        Gemm.multiply(offset, offset + count, C, rows,
                dout, 0, 1, OC,
                inp, 0, C, 1,
                grads, dwOff, C, true, Gemm.FULL);
        if (dbOff >= 0) {
            biasSums(grads, dbOff, dout, rows, OC, offset, count);
        }
    }

    /** dbias[o] += Σ_r dout[r][o], each sum from 0 over r ascending, lanes over o. */
    private static void biasSums(float[] grads, int dbOff, float[] dout, int rows, int OC, int offset, int count) {
        float[] sum = Gemm.scratch().extra(count);
        java.util.Arrays.fill(sum, 0, count, 0f);
        int vec = count - count % Gemm.V;
        for (int r = 0; r < rows; r++) {
            addRow(sum, dout, r * OC + offset, vec, count);
        }
        for (int i = 0; i < count; i++) {
            grads[dbOff + offset + i] += sum[i];
        }
    }

    private static void addRow(float[] sum, float[] src, int from, int vec, int count) {
        int i = 0;
        for (; i < vec; i += Gemm.V) {
            FloatVector.fromArray(Gemm.SPECIES, sum, i)
                    .add(FloatVector.fromArray(Gemm.SPECIES, src, from + i))
                    .intoArray(sum, i);
        }
        for (; i < count; i++) {
            sum[i] += src[from + i];
        }
    }
}
