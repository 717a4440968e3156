package modej.engine.tornado;

import modej.engine.kernel.Matmul;
import uk.ac.manchester.tornado.api.KernelContext;

/**
 * The device equivalents of {@link Matmul}'s kernels: the same parameters (after TornadoVM's
 * {@link KernelContext}), the same results, computed by work-groups of {@value #TILE}×{@value #TILE}
 * work-items that stage {@value #TILE}×{@value #TILE} tiles of both operands in work-group local
 * memory. {@link TornadoBackend} runs these in place of the portable kernels' tasks, with the
 * work-group shape from {@link MatmulGrids}; the JVM cannot run them (a {@code KernelContext}
 * kernel is one work-item's view, with barriers), so they are checked against the portable kernels
 * on the device ({@code TiledMatmulTest}).
 *
 * <p>Each work-item owns one output element and adds its products in the order the portable kernel
 * does (bias first, then the reduction index ascending), tile by tile; the zeros padding a partial
 * tile add exact zeros. Dimension 0 (x) is always the index contiguous in memory, so a
 * work-group's loads of a tile row are neighbouring floats. The local arrays have a row stride of
 * {@value #STRIDE} (one more than the tile) so that a column read does not hit one memory bank.
 */
final class TiledMatmul {

    /** Work-group edge and tile edge. */
    static final int TILE = 16;
    /** Row stride of a tile in local memory, padded against bank conflicts. */
    static final int STRIDE = TILE + 1;

    private TiledMatmul() {
    }

    /**
     * {@link Matmul#forward}: out (rows, OC) = inp (rows, C) · weight (OC, C)ᵀ + bias (OC).
     * Grid (x = o over OC, y = row over count), both rounded up to the tile.
     */
    public static void forward(KernelContext kc, float[] out, float[] inp, float[] params, int wOff, int bOff, int C,
                               int OC, int offset, int count) {
        int lx = kc.localIdx;
        int ly = kc.localIdy;
        int o0 = kc.groupIdx * TILE;
        int r0 = kc.groupIdy * TILE;
        float[] a = kc.allocateFloatLocalArray(TILE * STRIDE); // a[row][c]: inp tile
        float[] w = kc.allocateFloatLocalArray(TILE * STRIDE); // w[o][c]: weight tile
        float sum = 0f;
        if (bOff >= 0 && o0 + lx < OC) {
            sum = params[bOff + o0 + lx];
        }
        for (int c0 = 0; c0 < C; c0 += TILE) {
            int c = c0 + lx;
            float av = 0f;
            if (r0 + ly < count && c < C) {
                av = inp[(offset + r0 + ly) * C + c];
            }
            a[ly * STRIDE + lx] = av;
            float wv = 0f;
            if (o0 + ly < OC && c < C) {
                wv = params[wOff + (o0 + ly) * C + c];
            }
            w[ly * STRIDE + lx] = wv;
            kc.localBarrier();
            for (int k = 0; k < TILE; k++) {
                sum += a[ly * STRIDE + k] * w[lx * STRIDE + k];
            }
            kc.localBarrier();
        }
        if (r0 + ly < count && o0 + lx < OC) {
            out[(offset + r0 + ly) * OC + o0 + lx] = sum;
        }
    }

    /**
     * {@link Matmul#forwardAccumulate}: out (rows, OC) += inp (rows, C) · weight (OC, C)ᵀ.
     * Grid (x = o over OC, y = row over count).
     */
    public static void forwardAccumulate(KernelContext kc, float[] out, float[] inp, float[] params, int wOff, int C,
                                         int OC, int offset, int count) {
        int lx = kc.localIdx;
        int ly = kc.localIdy;
        int o0 = kc.groupIdx * TILE;
        int r0 = kc.groupIdy * TILE;
        float[] a = kc.allocateFloatLocalArray(TILE * STRIDE); // a[row][c]: inp tile
        float[] w = kc.allocateFloatLocalArray(TILE * STRIDE); // w[o][c]: weight tile
        float sum = 0f;
        for (int c0 = 0; c0 < C; c0 += TILE) {
            int c = c0 + lx;
            float av = 0f;
            if (r0 + ly < count && c < C) {
                av = inp[(offset + r0 + ly) * C + c];
            }
            a[ly * STRIDE + lx] = av;
            float wv = 0f;
            if (o0 + ly < OC && c < C) {
                wv = params[wOff + (o0 + ly) * C + c];
            }
            w[ly * STRIDE + lx] = wv;
            kc.localBarrier();
            for (int k = 0; k < TILE; k++) {
                sum += a[ly * STRIDE + k] * w[lx * STRIDE + k];
            }
            kc.localBarrier();
        }
        if (r0 + ly < count && o0 + lx < OC) {
            out[(offset + r0 + ly) * OC + o0 + lx] += sum;
        }
    }

    /**
     * {@link Matmul#backwardInput}: dinp (rows, C) += dout (rows, OC) · weight (OC, C).
     * Grid (x = c over C, y = row over count).
     */
    public static void backwardInput(KernelContext kc, float[] dinp, float[] dout, float[] params, int wOff, int C,
                                     int OC, int offset, int count) {
        int lx = kc.localIdx;
        int ly = kc.localIdy;
        int c0 = kc.groupIdx * TILE;
        int r0 = kc.groupIdy * TILE;
        float[] d = kc.allocateFloatLocalArray(TILE * STRIDE); // d[row][o]: dout tile
        float[] w = kc.allocateFloatLocalArray(TILE * STRIDE); // w[o][c]: weight tile
        float sum = 0f;
        for (int o0 = 0; o0 < OC; o0 += TILE) {
            float dv = 0f;
            if (r0 + ly < count && o0 + lx < OC) {
                dv = dout[(offset + r0 + ly) * OC + o0 + lx];
            }
            d[ly * STRIDE + lx] = dv;
            float wv = 0f;
            if (o0 + ly < OC && c0 + lx < C) {
                wv = params[wOff + (o0 + ly) * C + c0 + lx];
            }
            w[ly * STRIDE + lx] = wv;
            kc.localBarrier();
            for (int k = 0; k < TILE; k++) {
                sum += d[ly * STRIDE + k] * w[k * STRIDE + lx];
            }
            kc.localBarrier();
        }
        if (r0 + ly < count && c0 + lx < C) {
            dinp[(offset + r0 + ly) * C + c0 + lx] += sum;
        }
    }

    /**
     * {@link Matmul#backwardParams}: dweight (OC, C) += dout (rows, OC)ᵀ · inp (rows, C); dbias (OC)
     * += Σ_rows dout unless {@code dbOff < 0}. Grid (x = c over C, y = o over count output
     * channels from offset), OC·C work-items each reducing over all rows, tile by tile; the
     * work-items of column c = 0 also sum the bias from the dout tile they already hold.
     */
    public static void backwardParams(KernelContext kc, float[] grads, int dwOff, int dbOff, float[] dout, float[] inp,
                                      int rows, int C, int OC, int offset, int count) {
        int lx = kc.localIdx;
        int ly = kc.localIdy;
        int c0 = kc.groupIdx * TILE;
        int o0 = offset + kc.groupIdy * TILE;
        int oEnd = offset + count;
        float[] d = kc.allocateFloatLocalArray(TILE * STRIDE); // d[r][o]: dout tile
        float[] x = kc.allocateFloatLocalArray(TILE * STRIDE); // x[r][c]: inp tile
        float sum = 0f;
        float bias = 0f;
        for (int r0 = 0; r0 < rows; r0 += TILE) {
            float dv = 0f;
            if (r0 + ly < rows && o0 + lx < oEnd) {
                dv = dout[(r0 + ly) * OC + o0 + lx];
            }
            d[ly * STRIDE + lx] = dv;
            float xv = 0f;
            if (r0 + ly < rows && c0 + lx < C) {
                xv = inp[(r0 + ly) * C + c0 + lx];
            }
            x[ly * STRIDE + lx] = xv;
            kc.localBarrier();
            for (int k = 0; k < TILE; k++) {
                sum += d[k * STRIDE + ly] * x[k * STRIDE + lx];
            }
            if (c0 + lx == 0) {
                for (int k = 0; k < TILE; k++) {
                    bias += d[k * STRIDE + ly];
                }
            }
            kc.localBarrier();
        }
        int o = o0 + ly;
        if (o < oEnd && c0 + lx < C) {
            grads[dwOff + o * C + c0 + lx] += sum;
            if (c0 + lx == 0 && dbOff >= 0) {
                grads[dbOff + o] += bias;
            }
        }
    }
}
