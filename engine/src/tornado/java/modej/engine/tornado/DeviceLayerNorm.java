package modej.engine.tornado;

import modej.engine.kernel.LayerNorm;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;

/**
 * The device equivalents of {@link LayerNorm}'s kernels: the same parameters (after TornadoVM's
 * {@link KernelContext}), the same results up to the order of the sums. The portable kernels give
 * each row one thread that walks the row's C channels serially (neighbouring threads then read
 * addresses C floats apart), and the weight gradient one thread per channel (C threads, each
 * summing every row). Here a work-group of {@value #LANES} lanes shares a row (lane l takes
 * channels l, l + {@value #LANES}, …: neighbouring lanes read neighbouring floats) and reduces the
 * row's sums in local memory; the weight gradient runs {@value #LANES} channels × {@value #ROW_LANES}
 * row lanes per work-group, each lane summing every {@value #ROW_LANES}th row, then a tree over the
 * row lanes: C·{@value #ROW_LANES} work-items. rstd is computed in float
 * ({@code TornadoMath.sqrt}; the portable kernel takes a double square root). Checked against the
 * portable kernels on the device ({@code DeviceLayerNormTest}); grids in {@link DeviceKernels}.
 */
final class DeviceLayerNorm {

    /** Lanes per row (a warp on NVIDIA GPUs); channels per work-group of the weight gradient. */
    static final int LANES = 32;
    /** Row lanes per work-group of the weight gradient. */
    static final int ROW_LANES = 8;

    private static final float EPS = 1e-5f;

    private DeviceLayerNorm() {
    }

    /** {@link LayerNorm#forward}: out (rows, C), mean (rows), rstd (rows). Work-group = row, work-item = lane. */
    public static void forward(KernelContext kc, float[] out, float[] mean, float[] rstd, float[] inp, float[] params,
                               int wOff, int bOff, int C, int offset, int count) {
        int lane = kc.localIdx;
        int row = offset + kc.groupIdx;
        int x = row * C;
        float[] red = kc.allocateFloatLocalArray(LANES);
        float sum = 0f;
        for (int c = lane; c < C; c += LANES) {
            sum += inp[x + c];
        }
        float m = LocalSums.sum(kc, red, lane, LANES, sum) / C;
        float squares = 0f;
        for (int c = lane; c < C; c += LANES) {
            float d = inp[x + c] - m;
            squares += d * d;
        }
        float s = 1f / TornadoMath.sqrt(LocalSums.sum(kc, red, lane, LANES, squares) / C + EPS);
        for (int c = lane; c < C; c += LANES) {
            out[x + c] = (inp[x + c] - m) * s * params[wOff + c] + params[bOff + c];
        }
        if (lane == 0) {
            mean[row] = m;
            rstd[row] = s;
        }
    }

    /**
     * {@link LayerNorm#backwardInput}: dinp (rows, C) += rstd · (dnorm − mean(dnorm) − norm · mean(dnorm · norm)).
     * Work-group = row, work-item = lane.
     */
    public static void backwardInput(KernelContext kc, float[] dinp, float[] dout, float[] inp, float[] mean,
                                     float[] rstd, float[] params, int wOff, int C, int offset, int count) {
        int lane = kc.localIdx;
        int row = offset + kc.groupIdx;
        int x = row * C;
        float m = mean[row];
        float s = rstd[row];
        float[] red = kc.allocateFloatLocalArray(LANES);
        float dnormSum = 0f;
        float dnormNormSum = 0f;
        for (int c = lane; c < C; c += LANES) {
            float norm = (inp[x + c] - m) * s;
            float dnorm = dout[x + c] * params[wOff + c];
            dnormSum += dnorm;
            dnormNormSum += dnorm * norm;
        }
        float dnormMean = LocalSums.sum(kc, red, lane, LANES, dnormSum) / C;
        float dnormNormMean = LocalSums.sum(kc, red, lane, LANES, dnormNormSum) / C;
        for (int c = lane; c < C; c += LANES) {
            float norm = (inp[x + c] - m) * s;
            float dnorm = dout[x + c] * params[wOff + c];
            dinp[x + c] += (dnorm - dnormMean - norm * dnormNormMean) * s;
        }
    }

    /**
     * {@link LayerNorm#backwardParams}: dweight (C) += Σ_rows dout · norm, dbias (C) += Σ_rows dout, for
     * channels [offset, offset + count). Work-group = {@value #LANES} channels (x) × {@value #ROW_LANES}
     * row lanes (y).
     */
    public static void backwardParams(KernelContext kc, float[] grads, int dwOff, int dbOff, float[] dout, float[] inp,
                                      float[] mean, float[] rstd, int rows, int C, int offset, int count) {
        int lane = kc.localIdx;
        int rowLane = kc.localIdy;
        int c = offset + kc.groupIdx * LANES + lane;
        boolean mine = c < offset + count;
        float[] dwRed = kc.allocateFloatLocalArray(LANES * ROW_LANES); // [rowLane][lane]
        float[] dbRed = kc.allocateFloatLocalArray(LANES * ROW_LANES);
        float dw = 0f;
        float db = 0f;
        if (mine) {
            for (int r = rowLane; r < rows; r += ROW_LANES) {
                float d = dout[r * C + c];
                dw += d * (inp[r * C + c] - mean[r]) * rstd[r];
                db += d;
            }
        }
        dwRed[rowLane * LANES + lane] = dw;
        dbRed[rowLane * LANES + lane] = db;
        for (int half = ROW_LANES / 2; half > 0; half /= 2) {
            kc.localBarrier();
            if (rowLane < half) {
                dwRed[rowLane * LANES + lane] += dwRed[(rowLane + half) * LANES + lane];
                dbRed[rowLane * LANES + lane] += dbRed[(rowLane + half) * LANES + lane];
            }
        }
        kc.localBarrier();
        if (rowLane == 0 && mine) {
            grads[dwOff + c] += dwRed[lane];
            grads[dbOff + c] += dbRed[lane];
        }
    }
}
