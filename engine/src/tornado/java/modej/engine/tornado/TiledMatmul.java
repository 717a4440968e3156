package modej.engine.tornado;

import modej.engine.kernel.Matmul;
import uk.ac.manchester.tornado.api.KernelContext;

/**
 * The device equivalents of {@link Matmul}'s kernels: the same parameters (after TornadoVM's
 * {@link KernelContext}), the same results. {@link TornadoBackend} runs these in place of the
 * portable kernels' tasks ({@link DeviceKernels}); the JVM cannot run them (a {@code KernelContext}
 * kernel is one work-item's view, with barriers), so they are checked against the definitions on
 * the device ({@code TiledMatmulTest}).
 *
 * <p>Every kernel is a product M×N over a reduction of length K. A work-group of
 * {@value #THREADS}×{@value #THREADS} work-items computes a {@value #BLOCK}×{@value #BLOCK} block of
 * the output; each work-item a {@value #PER}×{@value #PER} register block of it, the elements
 * (m0 + ly + {@value #THREADS}·i, n0 + lx + {@value #THREADS}·j), in 16 float accumulators
 * {@code s_ij} written out as scalars: a device thread then never waits on one long chain of
 * dependent adds, and an OpenCL CPU driver (PoCL) that runs a work-group as a loop over its
 * work-items can keep each accumulator of all work-items in one contiguous array and vectorise
 * that loop (a private array would interleave them). Per step of {@value #DEPTH} along K the work-group stages both
 * operands' {@value #BLOCK}×{@value #DEPTH} slices in work-group local memory, stored K-major
 * ({@code s[k · STRIDE + m]}) so that the reads of one step are neighbouring words or one
 * broadcast word; the row stride {@value #STRIDE} (one more than the block) keeps the transposing
 * stores off one memory bank. Global loads are coalesced: neighbouring work-items read neighbouring
 * floats of whichever index is contiguous in memory.
 *
 * <p>Each output element adds its products in the order the portable kernel does (bias first,
 * then the reduction index ascending); the zeros padding a partial block add exact zeros. The grid
 * is (⌈N / {@value #BLOCK}⌉·{@value #THREADS}, ⌈M / {@value #BLOCK}⌉·{@value #THREADS}) with
 * work-groups of {@value #THREADS}×{@value #THREADS} ({@link DeviceKernels}).
 */
final class TiledMatmul {

    /** Work-items per work-group edge. */
    static final int THREADS = 16;
    /** Outputs per work-item edge. */
    static final int PER = 4;
    /** Outputs per work-group edge. */
    static final int BLOCK = THREADS * PER;
    /** Reduction elements staged per step. */
    static final int DEPTH = 16;
    /** Row stride of a staged slice in local memory. */
    static final int STRIDE = BLOCK + 1;
    /** Elements each work-item loads per slice. */
    static final int LOADS = BLOCK * DEPTH / (THREADS * THREADS);

    private TiledMatmul() {
    }

    /**
     * {@link Matmul#forward}: out (rows, OC) = inp (rows, C) · weight (OC, C)ᵀ + bias (OC).
     * M = rows (y), N = OC (x), K = C.
     */
    public static void forward(KernelContext kc, float[] out, float[] inp, float[] params, int wOff, int bOff, int C,
                               int OC, int offset, int count) {
        int lx = kc.localIdx;
        int ly = kc.localIdy;
        int tid = ly * THREADS + lx;
        int n0 = kc.groupIdx * BLOCK; // output channels o
        int m0 = kc.groupIdy * BLOCK; // rows, from offset
        float[] a = kc.allocateFloatLocalArray(DEPTH * STRIDE); // a[k][m] = inp (offset + m0 + m, k0 + k)
        float[] b = kc.allocateFloatLocalArray(DEPTH * STRIDE); // b[k][n] = weight (n0 + n, k0 + k)
        // s_ij: out (m0 + ly + i·THREADS, n0 + lx + j·THREADS), starting from the bias
        float bias0 = bOff >= 0 && n0 + lx < OC ? params[bOff + n0 + lx] : 0f;
        float bias1 = bOff >= 0 && n0 + lx + THREADS < OC ? params[bOff + n0 + lx + THREADS] : 0f;
        float bias2 = bOff >= 0 && n0 + lx + 2 * THREADS < OC ? params[bOff + n0 + lx + 2 * THREADS] : 0f;
        float bias3 = bOff >= 0 && n0 + lx + 3 * THREADS < OC ? params[bOff + n0 + lx + 3 * THREADS] : 0f;
        float s00 = bias0, s01 = bias1, s02 = bias2, s03 = bias3;
        float s10 = bias0, s11 = bias1, s12 = bias2, s13 = bias3;
        float s20 = bias0, s21 = bias1, s22 = bias2, s23 = bias3;
        float s30 = bias0, s31 = bias1, s32 = bias2, s33 = bias3;
        for (int k0 = 0; k0 < C; k0 += DEPTH) {
            for (int l = 0; l < LOADS; l++) {
                int e = tid + l * THREADS * THREADS;
                int m = e / DEPTH;
                int k = e % DEPTH;
                float av = 0f;
                if (m0 + m < count && k0 + k < C) {
                    av = inp[(offset + m0 + m) * C + k0 + k];
                }
                a[k * STRIDE + m] = av;
                float bv = 0f;
                if (n0 + m < OC && k0 + k < C) {
                    bv = params[wOff + (n0 + m) * C + k0 + k];
                }
                b[k * STRIDE + m] = bv;
            }
            kc.localBarrier();
            for (int k = 0; k < DEPTH; k++) {
                int at = k * STRIDE;
                float a0 = a[at + ly];
                float a1 = a[at + ly + THREADS];
                float a2 = a[at + ly + 2 * THREADS];
                float a3 = a[at + ly + 3 * THREADS];
                float b0 = b[at + lx];
                float b1 = b[at + lx + THREADS];
                float b2 = b[at + lx + 2 * THREADS];
                float b3 = b[at + lx + 3 * THREADS];
                s00 += a0 * b0; s01 += a0 * b1; s02 += a0 * b2; s03 += a0 * b3;
                s10 += a1 * b0; s11 += a1 * b1; s12 += a1 * b2; s13 += a1 * b3;
                s20 += a2 * b0; s21 += a2 * b1; s22 += a2 * b2; s23 += a2 * b3;
                s30 += a3 * b0; s31 += a3 * b1; s32 += a3 * b2; s33 += a3 * b3;
            }
            kc.localBarrier();
        }
        if (m0 + ly < count) {
            int row = (offset + m0 + ly) * OC;
            if (n0 + lx < OC) {
                out[row + n0 + lx] = s00;
            }
            if (n0 + lx + THREADS < OC) {
                out[row + n0 + lx + THREADS] = s01;
            }
            if (n0 + lx + 2 * THREADS < OC) {
                out[row + n0 + lx + 2 * THREADS] = s02;
            }
            if (n0 + lx + 3 * THREADS < OC) {
                out[row + n0 + lx + 3 * THREADS] = s03;
            }
        }
        if (m0 + ly + THREADS < count) {
            int row = (offset + m0 + ly + THREADS) * OC;
            if (n0 + lx < OC) {
                out[row + n0 + lx] = s10;
            }
            if (n0 + lx + THREADS < OC) {
                out[row + n0 + lx + THREADS] = s11;
            }
            if (n0 + lx + 2 * THREADS < OC) {
                out[row + n0 + lx + 2 * THREADS] = s12;
            }
            if (n0 + lx + 3 * THREADS < OC) {
                out[row + n0 + lx + 3 * THREADS] = s13;
            }
        }
        if (m0 + ly + 2 * THREADS < count) {
            int row = (offset + m0 + ly + 2 * THREADS) * OC;
            if (n0 + lx < OC) {
                out[row + n0 + lx] = s20;
            }
            if (n0 + lx + THREADS < OC) {
                out[row + n0 + lx + THREADS] = s21;
            }
            if (n0 + lx + 2 * THREADS < OC) {
                out[row + n0 + lx + 2 * THREADS] = s22;
            }
            if (n0 + lx + 3 * THREADS < OC) {
                out[row + n0 + lx + 3 * THREADS] = s23;
            }
        }
        if (m0 + ly + 3 * THREADS < count) {
            int row = (offset + m0 + ly + 3 * THREADS) * OC;
            if (n0 + lx < OC) {
                out[row + n0 + lx] = s30;
            }
            if (n0 + lx + THREADS < OC) {
                out[row + n0 + lx + THREADS] = s31;
            }
            if (n0 + lx + 2 * THREADS < OC) {
                out[row + n0 + lx + 2 * THREADS] = s32;
            }
            if (n0 + lx + 3 * THREADS < OC) {
                out[row + n0 + lx + 3 * THREADS] = s33;
            }
        }
    }

    /**
     * {@link Matmul#forwardAccumulate}: out (rows, OC) += inp (rows, C) · weight (OC, C)ᵀ.
     * M = rows (y), N = OC (x), K = C.
     */
    public static void forwardAccumulate(KernelContext kc, float[] out, float[] inp, float[] params, int wOff, int C,
                                         int OC, int offset, int count) {
        int lx = kc.localIdx;
        int ly = kc.localIdy;
        int tid = ly * THREADS + lx;
        int n0 = kc.groupIdx * BLOCK; // output channels o
        int m0 = kc.groupIdy * BLOCK; // rows, from offset
        float[] a = kc.allocateFloatLocalArray(DEPTH * STRIDE); // a[k][m] = inp (offset + m0 + m, k0 + k)
        float[] b = kc.allocateFloatLocalArray(DEPTH * STRIDE); // b[k][n] = weight (n0 + n, k0 + k)
        // s_ij: out (m0 + ly + i·THREADS, n0 + lx + j·THREADS)
        float s00 = 0f, s01 = 0f, s02 = 0f, s03 = 0f;
        float s10 = 0f, s11 = 0f, s12 = 0f, s13 = 0f;
        float s20 = 0f, s21 = 0f, s22 = 0f, s23 = 0f;
        float s30 = 0f, s31 = 0f, s32 = 0f, s33 = 0f;
        for (int k0 = 0; k0 < C; k0 += DEPTH) {
            for (int l = 0; l < LOADS; l++) {
                int e = tid + l * THREADS * THREADS;
                int m = e / DEPTH;
                int k = e % DEPTH;
                float av = 0f;
                if (m0 + m < count && k0 + k < C) {
                    av = inp[(offset + m0 + m) * C + k0 + k];
                }
                a[k * STRIDE + m] = av;
                float bv = 0f;
                if (n0 + m < OC && k0 + k < C) {
                    bv = params[wOff + (n0 + m) * C + k0 + k];
                }
                b[k * STRIDE + m] = bv;
            }
            kc.localBarrier();
            for (int k = 0; k < DEPTH; k++) {
                int at = k * STRIDE;
                float a0 = a[at + ly];
                float a1 = a[at + ly + THREADS];
                float a2 = a[at + ly + 2 * THREADS];
                float a3 = a[at + ly + 3 * THREADS];
                float b0 = b[at + lx];
                float b1 = b[at + lx + THREADS];
                float b2 = b[at + lx + 2 * THREADS];
                float b3 = b[at + lx + 3 * THREADS];
                s00 += a0 * b0; s01 += a0 * b1; s02 += a0 * b2; s03 += a0 * b3;
                s10 += a1 * b0; s11 += a1 * b1; s12 += a1 * b2; s13 += a1 * b3;
                s20 += a2 * b0; s21 += a2 * b1; s22 += a2 * b2; s23 += a2 * b3;
                s30 += a3 * b0; s31 += a3 * b1; s32 += a3 * b2; s33 += a3 * b3;
            }
            kc.localBarrier();
        }
        if (m0 + ly < count) {
            int row = (offset + m0 + ly) * OC;
            if (n0 + lx < OC) {
                out[row + n0 + lx] += s00;
            }
            if (n0 + lx + THREADS < OC) {
                out[row + n0 + lx + THREADS] += s01;
            }
            if (n0 + lx + 2 * THREADS < OC) {
                out[row + n0 + lx + 2 * THREADS] += s02;
            }
            if (n0 + lx + 3 * THREADS < OC) {
                out[row + n0 + lx + 3 * THREADS] += s03;
            }
        }
        if (m0 + ly + THREADS < count) {
            int row = (offset + m0 + ly + THREADS) * OC;
            if (n0 + lx < OC) {
                out[row + n0 + lx] += s10;
            }
            if (n0 + lx + THREADS < OC) {
                out[row + n0 + lx + THREADS] += s11;
            }
            if (n0 + lx + 2 * THREADS < OC) {
                out[row + n0 + lx + 2 * THREADS] += s12;
            }
            if (n0 + lx + 3 * THREADS < OC) {
                out[row + n0 + lx + 3 * THREADS] += s13;
            }
        }
        if (m0 + ly + 2 * THREADS < count) {
            int row = (offset + m0 + ly + 2 * THREADS) * OC;
            if (n0 + lx < OC) {
                out[row + n0 + lx] += s20;
            }
            if (n0 + lx + THREADS < OC) {
                out[row + n0 + lx + THREADS] += s21;
            }
            if (n0 + lx + 2 * THREADS < OC) {
                out[row + n0 + lx + 2 * THREADS] += s22;
            }
            if (n0 + lx + 3 * THREADS < OC) {
                out[row + n0 + lx + 3 * THREADS] += s23;
            }
        }
        if (m0 + ly + 3 * THREADS < count) {
            int row = (offset + m0 + ly + 3 * THREADS) * OC;
            if (n0 + lx < OC) {
                out[row + n0 + lx] += s30;
            }
            if (n0 + lx + THREADS < OC) {
                out[row + n0 + lx + THREADS] += s31;
            }
            if (n0 + lx + 2 * THREADS < OC) {
                out[row + n0 + lx + 2 * THREADS] += s32;
            }
            if (n0 + lx + 3 * THREADS < OC) {
                out[row + n0 + lx + 3 * THREADS] += s33;
            }
        }
    }

    /**
     * {@link Matmul#backwardInput}: dinp (rows, C) += dout (rows, OC) · weight (OC, C).
     * M = rows (y), N = C (x), K = OC.
     */
    public static void backwardInput(KernelContext kc, float[] dinp, float[] dout, float[] params, int wOff, int C,
                                     int OC, int offset, int count) {
        int lx = kc.localIdx;
        int ly = kc.localIdy;
        int tid = ly * THREADS + lx;
        int n0 = kc.groupIdx * BLOCK; // input channels c
        int m0 = kc.groupIdy * BLOCK; // rows, from offset
        float[] a = kc.allocateFloatLocalArray(DEPTH * STRIDE); // a[k][m] = dout (offset + m0 + m, k0 + k)
        float[] b = kc.allocateFloatLocalArray(DEPTH * STRIDE); // b[k][n] = weight (k0 + k, n0 + n)
        // s_ij: dinp (m0 + ly + i·THREADS, n0 + lx + j·THREADS)
        float s00 = 0f, s01 = 0f, s02 = 0f, s03 = 0f;
        float s10 = 0f, s11 = 0f, s12 = 0f, s13 = 0f;
        float s20 = 0f, s21 = 0f, s22 = 0f, s23 = 0f;
        float s30 = 0f, s31 = 0f, s32 = 0f, s33 = 0f;
        for (int k0 = 0; k0 < OC; k0 += DEPTH) {
            for (int l = 0; l < LOADS; l++) {
                int e = tid + l * THREADS * THREADS;
                int m = e / DEPTH;
                int k = e % DEPTH;
                float av = 0f;
                if (m0 + m < count && k0 + k < OC) {
                    av = dout[(offset + m0 + m) * OC + k0 + k];
                }
                a[k * STRIDE + m] = av;
                int kb = e / BLOCK;
                int n = e % BLOCK;
                float bv = 0f;
                if (k0 + kb < OC && n0 + n < C) {
                    bv = params[wOff + (k0 + kb) * C + n0 + n];
                }
                b[kb * STRIDE + n] = bv;
            }
            kc.localBarrier();
            for (int k = 0; k < DEPTH; k++) {
                int at = k * STRIDE;
                float a0 = a[at + ly];
                float a1 = a[at + ly + THREADS];
                float a2 = a[at + ly + 2 * THREADS];
                float a3 = a[at + ly + 3 * THREADS];
                float b0 = b[at + lx];
                float b1 = b[at + lx + THREADS];
                float b2 = b[at + lx + 2 * THREADS];
                float b3 = b[at + lx + 3 * THREADS];
                s00 += a0 * b0; s01 += a0 * b1; s02 += a0 * b2; s03 += a0 * b3;
                s10 += a1 * b0; s11 += a1 * b1; s12 += a1 * b2; s13 += a1 * b3;
                s20 += a2 * b0; s21 += a2 * b1; s22 += a2 * b2; s23 += a2 * b3;
                s30 += a3 * b0; s31 += a3 * b1; s32 += a3 * b2; s33 += a3 * b3;
            }
            kc.localBarrier();
        }
        if (m0 + ly < count) {
            int row = (offset + m0 + ly) * C;
            if (n0 + lx < C) {
                dinp[row + n0 + lx] += s00;
            }
            if (n0 + lx + THREADS < C) {
                dinp[row + n0 + lx + THREADS] += s01;
            }
            if (n0 + lx + 2 * THREADS < C) {
                dinp[row + n0 + lx + 2 * THREADS] += s02;
            }
            if (n0 + lx + 3 * THREADS < C) {
                dinp[row + n0 + lx + 3 * THREADS] += s03;
            }
        }
        if (m0 + ly + THREADS < count) {
            int row = (offset + m0 + ly + THREADS) * C;
            if (n0 + lx < C) {
                dinp[row + n0 + lx] += s10;
            }
            if (n0 + lx + THREADS < C) {
                dinp[row + n0 + lx + THREADS] += s11;
            }
            if (n0 + lx + 2 * THREADS < C) {
                dinp[row + n0 + lx + 2 * THREADS] += s12;
            }
            if (n0 + lx + 3 * THREADS < C) {
                dinp[row + n0 + lx + 3 * THREADS] += s13;
            }
        }
        if (m0 + ly + 2 * THREADS < count) {
            int row = (offset + m0 + ly + 2 * THREADS) * C;
            if (n0 + lx < C) {
                dinp[row + n0 + lx] += s20;
            }
            if (n0 + lx + THREADS < C) {
                dinp[row + n0 + lx + THREADS] += s21;
            }
            if (n0 + lx + 2 * THREADS < C) {
                dinp[row + n0 + lx + 2 * THREADS] += s22;
            }
            if (n0 + lx + 3 * THREADS < C) {
                dinp[row + n0 + lx + 3 * THREADS] += s23;
            }
        }
        if (m0 + ly + 3 * THREADS < count) {
            int row = (offset + m0 + ly + 3 * THREADS) * C;
            if (n0 + lx < C) {
                dinp[row + n0 + lx] += s30;
            }
            if (n0 + lx + THREADS < C) {
                dinp[row + n0 + lx + THREADS] += s31;
            }
            if (n0 + lx + 2 * THREADS < C) {
                dinp[row + n0 + lx + 2 * THREADS] += s32;
            }
            if (n0 + lx + 3 * THREADS < C) {
                dinp[row + n0 + lx + 3 * THREADS] += s33;
            }
        }
    }

    /**
     * {@link Matmul#backwardParams}: dweight (OC, C) += dout (rows, OC)ᵀ · inp (rows, C); dbias (OC)
     * += Σ_rows dout unless {@code dbOff < 0}. M = count output channels from offset (y), N = C (x),
     * K = rows: OC·C outputs, each reduced over all rows by one work-item (no split sum, no atomics);
     * the work-items holding column c = 0 also sum the bias from the dout slice already staged.
     */
    public static void backwardParams(KernelContext kc, float[] grads, int dwOff, int dbOff, float[] dout, float[] inp,
                                      int rows, int C, int OC, int offset, int count) {
        int lx = kc.localIdx;
        int ly = kc.localIdy;
        int tid = ly * THREADS + lx;
        int n0 = kc.groupIdx * BLOCK;          // input channels c
        int m0 = offset + kc.groupIdy * BLOCK; // output channels o
        int mEnd = offset + count;
        float[] a = kc.allocateFloatLocalArray(DEPTH * STRIDE); // a[k][m] = dout (k0 + k, m0 + m)
        float[] b = kc.allocateFloatLocalArray(DEPTH * STRIDE); // b[k][n] = inp (k0 + k, n0 + n)
        boolean sumsBias = dbOff >= 0 && n0 + lx == 0;
        // s_ij: dweight (m0 + ly + i·THREADS, n0 + lx + j·THREADS); t_i: dbias (m0 + ly + i·THREADS), column c = 0 only
        float s00 = 0f, s01 = 0f, s02 = 0f, s03 = 0f;
        float s10 = 0f, s11 = 0f, s12 = 0f, s13 = 0f;
        float s20 = 0f, s21 = 0f, s22 = 0f, s23 = 0f;
        float s30 = 0f, s31 = 0f, s32 = 0f, s33 = 0f;
        float t0 = 0f, t1 = 0f, t2 = 0f, t3 = 0f;
        for (int k0 = 0; k0 < rows; k0 += DEPTH) {
            for (int l = 0; l < LOADS; l++) {
                int e = tid + l * THREADS * THREADS;
                int k = e / BLOCK;
                int mn = e % BLOCK;
                float av = 0f;
                if (k0 + k < rows && m0 + mn < mEnd) {
                    av = dout[(k0 + k) * OC + m0 + mn];
                }
                a[k * STRIDE + mn] = av;
                float bv = 0f;
                if (k0 + k < rows && n0 + mn < C) {
                    bv = inp[(k0 + k) * C + n0 + mn];
                }
                b[k * STRIDE + mn] = bv;
            }
            kc.localBarrier();
            for (int k = 0; k < DEPTH; k++) {
                int at = k * STRIDE;
                float a0 = a[at + ly];
                float a1 = a[at + ly + THREADS];
                float a2 = a[at + ly + 2 * THREADS];
                float a3 = a[at + ly + 3 * THREADS];
                float b0 = b[at + lx];
                float b1 = b[at + lx + THREADS];
                float b2 = b[at + lx + 2 * THREADS];
                float b3 = b[at + lx + 3 * THREADS];
                s00 += a0 * b0; s01 += a0 * b1; s02 += a0 * b2; s03 += a0 * b3;
                s10 += a1 * b0; s11 += a1 * b1; s12 += a1 * b2; s13 += a1 * b3;
                s20 += a2 * b0; s21 += a2 * b1; s22 += a2 * b2; s23 += a2 * b3;
                s30 += a3 * b0; s31 += a3 * b1; s32 += a3 * b2; s33 += a3 * b3;
            }
            if (sumsBias) {
                for (int k = 0; k < DEPTH; k++) {
                    int at = k * STRIDE;
                    t0 += a[at + ly];
                    t1 += a[at + ly + THREADS];
                    t2 += a[at + ly + 2 * THREADS];
                    t3 += a[at + ly + 3 * THREADS];
                }
            }
            kc.localBarrier();
        }
        if (m0 + ly < mEnd) {
            int row = dwOff + (m0 + ly) * C;
            if (n0 + lx < C) {
                grads[row + n0 + lx] += s00;
            }
            if (n0 + lx + THREADS < C) {
                grads[row + n0 + lx + THREADS] += s01;
            }
            if (n0 + lx + 2 * THREADS < C) {
                grads[row + n0 + lx + 2 * THREADS] += s02;
            }
            if (n0 + lx + 3 * THREADS < C) {
                grads[row + n0 + lx + 3 * THREADS] += s03;
            }
            if (sumsBias) {
                grads[dbOff + m0 + ly] += t0;
            }
        }
        if (m0 + ly + THREADS < mEnd) {
            int row = dwOff + (m0 + ly + THREADS) * C;
            if (n0 + lx < C) {
                grads[row + n0 + lx] += s10;
            }
            if (n0 + lx + THREADS < C) {
                grads[row + n0 + lx + THREADS] += s11;
            }
            if (n0 + lx + 2 * THREADS < C) {
                grads[row + n0 + lx + 2 * THREADS] += s12;
            }
            if (n0 + lx + 3 * THREADS < C) {
                grads[row + n0 + lx + 3 * THREADS] += s13;
            }
            if (sumsBias) {
                grads[dbOff + m0 + ly + THREADS] += t1;
            }
        }
        if (m0 + ly + 2 * THREADS < mEnd) {
            int row = dwOff + (m0 + ly + 2 * THREADS) * C;
            if (n0 + lx < C) {
                grads[row + n0 + lx] += s20;
            }
            if (n0 + lx + THREADS < C) {
                grads[row + n0 + lx + THREADS] += s21;
            }
            if (n0 + lx + 2 * THREADS < C) {
                grads[row + n0 + lx + 2 * THREADS] += s22;
            }
            if (n0 + lx + 3 * THREADS < C) {
                grads[row + n0 + lx + 3 * THREADS] += s23;
            }
            if (sumsBias) {
                grads[dbOff + m0 + ly + 2 * THREADS] += t2;
            }
        }
        if (m0 + ly + 3 * THREADS < mEnd) {
            int row = dwOff + (m0 + ly + 3 * THREADS) * C;
            if (n0 + lx < C) {
                grads[row + n0 + lx] += s30;
            }
            if (n0 + lx + THREADS < C) {
                grads[row + n0 + lx + THREADS] += s31;
            }
            if (n0 + lx + 2 * THREADS < C) {
                grads[row + n0 + lx + 2 * THREADS] += s32;
            }
            if (n0 + lx + 3 * THREADS < C) {
                grads[row + n0 + lx + 3 * THREADS] += s33;
            }
            if (sumsBias) {
                grads[dbOff + m0 + ly + 3 * THREADS] += t3;
            }
        }
    }
}
