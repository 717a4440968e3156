package modej.engine.tornado;

import modej.engine.kernel.Attention;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;

/**
 * The device equivalents of {@link Attention#forward} and {@link Attention#backwardScores}: the
 * same parameters (after TornadoVM's {@link KernelContext}), the same results up to the order of
 * the row sums. The portable kernels give each query row (b, h, t) one thread that walks the
 * row's t + 1 keys serially, several times; here a work-group of {@value #LANES} work-items shares
 * the row: work-item l takes keys t2 = l, l + {@value #LANES}, …, and the row's maximum and sums
 * are reduced in work-group local memory (a tree of {@value #LANES} → 1). Grid: one work-group
 * per row, {@code count · LANES} work-items ({@link DeviceKernels}). The exponential is the device's
 * float {@code exp} (TornadoVM's {@code TornadoMath.exp}), not the portable kernels' FloatMath
 * polynomial. Checked against the portable kernels on the device ({@code DeviceAttentionTest}).
 */
final class DeviceAttention {

    /** Work-items per query row (a warp on NVIDIA GPUs). */
    static final int LANES = 32;

    private DeviceAttention() {
    }

    /**
     * {@link Attention#forward}: att (B,NH,T,T) = softmax_t2≤t(scale · q[t]·k[t2]) (0 for t2 > t),
     * out (B,T,C)[b,t,head h] = Σ_t2≤t att[t2] · v[t2]. Work-group = row idx, work-item = lane.
     */
    public static void forward(KernelContext kc, float[] out, float[] att, float[] qkv, int T, int C, int NH,
                               int offset, int count) {
        int lane = kc.localIdx;
        int idx = offset + kc.groupIdx;
        int C3 = 3 * C;
        int hs = C / NH;
        float scale = (float) (1.0 / Math.sqrt(hs)); // as the portable kernel, once per work-item
        int t = idx % T;
        int bh = idx / T;
        int h = bh % NH;
        int b = bh / NH;
        int q = (b * T + t) * C3 + h * hs;
        int a = idx * T;
        float[] red = kc.allocateFloatLocalArray(LANES);
        // 1. this lane's scaled scores q·k, kept in the att row, and their maximum
        float max = -Float.MAX_VALUE;
        for (int t2 = lane; t2 <= t; t2 += LANES) {
            int k = (b * T + t2) * C3 + C + h * hs;
            float dot = 0f;
            for (int j = 0; j < hs; j++) {
                dot += qkv[q + j] * qkv[k + j];
            }
            dot = dot * scale;
            att[a + t2] = dot;
            max = Math.max(max, dot);
        }
        red[lane] = max;
        for (int s = LANES / 2; s > 0; s /= 2) {
            kc.localBarrier();
            if (lane < s) {
                red[lane] = Math.max(red[lane], red[lane + s]);
            }
        }
        kc.localBarrier();
        max = red[0];
        kc.localBarrier();
        // 2. exponentials with the row maximum subtracted, and their sum
        float sum = 0f;
        for (int t2 = lane; t2 <= t; t2 += LANES) {
            float e = TornadoMath.exp(att[a + t2] - max); // the device's float exp
            att[a + t2] = e;
            sum += e;
        }
        red[lane] = sum;
        for (int s = LANES / 2; s > 0; s /= 2) {
            kc.localBarrier();
            if (lane < s) {
                red[lane] += red[lane + s];
            }
        }
        kc.localBarrier();
        float inv = 1f / red[0];
        // 3. probabilities; 0 for the masked future
        for (int t2 = lane; t2 < T; t2 += LANES) {
            if (t2 <= t) {
                att[a + t2] = att[a + t2] * inv;
            } else {
                att[a + t2] = 0f;
            }
        }
        kc.globalBarrier(); // the row's probabilities, written by every lane, are read by every lane
        // 4. weighted sum of the values, lane = channel
        int o = (b * T + t) * C + h * hs;
        for (int j = lane; j < hs; j += LANES) {
            float s = 0f;
            for (int t2 = 0; t2 <= t; t2++) {
                s += att[a + t2] * qkv[(b * T + t2) * C3 + 2 * C + h * hs + j];
            }
            out[o + j] = s;
        }
    }

    /**
     * {@link Attention#backwardScores}: with datt[t2] = dout[b,t,head]·v[t2],
     * dpreatt[t2] = scale · att[t2] · (datt[t2] − Σ_j att[j]·datt[j]) for t2 ≤ t, 0 for t2 > t.
     * Work-group = row idx, work-item = lane.
     */
    public static void backwardScores(KernelContext kc, float[] dpreatt, float[] dout, float[] att, float[] qkv, int T,
                                      int C, int NH, int offset, int count) {
        int lane = kc.localIdx;
        int idx = offset + kc.groupIdx;
        int C3 = 3 * C;
        int hs = C / NH;
        float scale = (float) (1.0 / Math.sqrt(hs)); // as the portable kernel, once per work-item
        int t = idx % T;
        int bh = idx / T;
        int h = bh % NH;
        int b = bh / NH;
        int d = (b * T + t) * C + h * hs;
        int a = idx * T;
        float[] red = kc.allocateFloatLocalArray(LANES);
        // 1. this lane's datt[t2] = dout·v[t2], kept in the dpreatt row, and Σ att·datt
        float dot = 0f;
        for (int t2 = lane; t2 <= t; t2 += LANES) {
            int v = (b * T + t2) * C3 + 2 * C + h * hs;
            float s = 0f;
            for (int j = 0; j < hs; j++) {
                s += dout[d + j] * qkv[v + j];
            }
            dpreatt[a + t2] = s;
            dot += att[a + t2] * s;
        }
        red[lane] = dot;
        for (int s = LANES / 2; s > 0; s /= 2) {
            kc.localBarrier();
            if (lane < s) {
                red[lane] += red[lane + s];
            }
        }
        kc.localBarrier();
        dot = red[0];
        // 2. softmax backward, times the score scale; 0 for the masked future (own entries only)
        for (int t2 = lane; t2 < T; t2 += LANES) {
            if (t2 <= t) {
                dpreatt[a + t2] = scale * att[a + t2] * (dpreatt[a + t2] - dot);
            } else {
                dpreatt[a + t2] = 0f;
            }
        }
    }
}
