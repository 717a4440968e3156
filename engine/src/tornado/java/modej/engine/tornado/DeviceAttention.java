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
        float inv = 1f / LocalSums.sum(kc, red, lane, LANES, sum);
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
        dot = LocalSums.sum(kc, red, lane, LANES, dot);
        // 2. softmax backward, times the score scale; 0 for the masked future (own entries only)
        for (int t2 = lane; t2 < T; t2 += LANES) {
            if (t2 <= t) {
                dpreatt[a + t2] = scale * att[a + t2] * (dpreatt[a + t2] - dot);
            } else {
                dpreatt[a + t2] = 0f;
            }
        }
    }

    /**
     * {@link Attention#backwardInput}: dqkv (B,T,3C) += dq[t] = Σ_t2≤t dpreatt[t][t2]·k[t2],
     * dk[t] = Σ_t1≥t dpreatt[t1][t]·q[t1], dv[t] = Σ_t1≥t att[t1][t]·dout[t1], per head. The
     * portable kernel gives each (b, h, t, channel) a thread with three serial walks over the
     * sequence and no reuse of what it reads; here they are three tiled products per head, as in
     * {@link TiledMatmul}: a work-group of {@value TiledMatmul#THREADS}×{@value TiledMatmul#THREADS}
     * work-items computes a {@value TiledMatmul#BLOCK}×{@value TiledMatmul#BLOCK} block
     * (positions t0… of one head × channels j0…), each work-item a
     * {@value TiledMatmul#PER}×{@value TiledMatmul#PER} register block, staging both operands'
     * slices of {@value TiledMatmul#DEPTH} along the reduction in local memory. Phase p = 0, 1, 2
     * computes dq, dk, dv in turn with the same block. The causal mask is applied where the slices
     * are staged (a masked entry stages as 0), so entries beyond it in dpreatt and att are never
     * read; every sum adds its products in the portable kernel's order, after exact zeros.
     * Grid ({@link DeviceKernels#attentionTiles}): x over channel blocks, y over the blocks of
     * positions of every head the rows [offset, offset + count) touch; rows outside are not written.
     */
    public static void backwardInput(KernelContext kc, float[] dqkv, float[] dpreatt, float[] att, float[] qkv,
                                     float[] dout, int T, int C, int NH, int offset, int count) {
        int lx = kc.localIdx;
        int ly = kc.localIdy;
        int tid = ly * TiledMatmul.THREADS + lx;
        int C3 = 3 * C;
        int hs = C / NH;
        int blocks = (T + TiledMatmul.BLOCK - 1) / TiledMatmul.BLOCK; // blocks of positions per head
        int bh = offset / T + kc.groupIdy / blocks;
        int b = bh / NH;
        int h = bh % NH;
        int t0 = kc.groupIdy % blocks * TiledMatmul.BLOCK;
        int j0 = kc.groupIdx * TiledMatmul.BLOCK;
        int stride = TiledMatmul.STRIDE;
        float[] x = kc.allocateFloatLocalArray(TiledMatmul.DEPTH * stride); // x[k][m]: scores (t0 + m, reduction k)
        float[] y = kc.allocateFloatLocalArray(TiledMatmul.DEPTH * stride); // y[k][n]: operand (reduction k, j0 + n)
        for (int p = 0; p < 3; p++) {
            // dq (p = 0) reduces over t2 = 0 … t0 + BLOCK − 1, dk and dv over t1 = t0 … T − 1
            int from = p == 0 ? 0 : t0;
            int to = p == 0 ? Math.min(T, t0 + TiledMatmul.BLOCK) : T;
            float s00 = 0f, s01 = 0f, s02 = 0f, s03 = 0f;
            float s10 = 0f, s11 = 0f, s12 = 0f, s13 = 0f;
            float s20 = 0f, s21 = 0f, s22 = 0f, s23 = 0f;
            float s30 = 0f, s31 = 0f, s32 = 0f, s33 = 0f;
            for (int k0 = from; k0 < to; k0 += TiledMatmul.DEPTH) {
                for (int l = 0; l < TiledMatmul.LOADS; l++) {
                    int e = tid + l * TiledMatmul.THREADS * TiledMatmul.THREADS;
                    // scores: dq reads row t of dpreatt (contiguous along k), dk/dv column t of dpreatt/att (along m)
                    int m = p == 0 ? e / TiledMatmul.DEPTH : e % TiledMatmul.BLOCK;
                    int k = p == 0 ? e % TiledMatmul.DEPTH : e / TiledMatmul.BLOCK;
                    int t = t0 + m;
                    int r = k0 + k; // the reduction's position: t2 for dq, t1 for dk and dv
                    float xv = 0f;
                    if (t < T && r < to && (p == 0 ? r <= t : r >= t)) {
                        int at = p == 0 ? (bh * T + t) * T + r : (bh * T + r) * T + t;
                        xv = p == 2 ? att[at] : dpreatt[at];
                    }
                    x[k * stride + m] = xv;
                    // operand: k (dq), q (dk), dout (dv) at position k0 + kb, channel j0 + n
                    int kb = e / TiledMatmul.BLOCK;
                    int n = e % TiledMatmul.BLOCK;
                    float yv = 0f;
                    if (k0 + kb < to && j0 + n < hs) {
                        int row = b * T + k0 + kb;
                        yv = p == 2 ? dout[row * C + h * hs + j0 + n]
                                : qkv[row * C3 + (p == 0 ? C : 0) + h * hs + j0 + n];
                    }
                    y[kb * stride + n] = yv;
                }
                kc.localBarrier();
                for (int k = 0; k < TiledMatmul.DEPTH; k++) {
                    int at = k * stride;
                    float a0 = x[at + ly];
                    float a1 = x[at + ly + TiledMatmul.THREADS];
                    float a2 = x[at + ly + 2 * TiledMatmul.THREADS];
                    float a3 = x[at + ly + 3 * TiledMatmul.THREADS];
                    float b0 = y[at + lx];
                    float b1 = y[at + lx + TiledMatmul.THREADS];
                    float b2 = y[at + lx + 2 * TiledMatmul.THREADS];
                    float b3 = y[at + lx + 3 * TiledMatmul.THREADS];
                    s00 += a0 * b0; s01 += a0 * b1; s02 += a0 * b2; s03 += a0 * b3;
                    s10 += a1 * b0; s11 += a1 * b1; s12 += a1 * b2; s13 += a1 * b3;
                    s20 += a2 * b0; s21 += a2 * b1; s22 += a2 * b2; s23 += a2 * b3;
                    s30 += a3 * b0; s31 += a3 * b1; s32 += a3 * b2; s33 += a3 * b3;
                }
                kc.localBarrier();
            }
            // dqkv (b, t, part p of head h, channel j) += s_ij, for rows idx = bh·T + t in [offset, offset + count)
            int part = p * C + h * hs + j0 + lx;
            int lo = offset - bh * T; // positions t with idx in range: lo <= t < hi
            int hi = offset + count - bh * T;
            int ta = t0 + ly;
            if (ta >= lo && ta < hi && ta < T) {
                addRow(dqkv, (b * T + ta) * C3 + part, j0 + lx, hs, s00, s01, s02, s03);
            }
            if (ta + TiledMatmul.THREADS >= lo && ta + TiledMatmul.THREADS < hi && ta + TiledMatmul.THREADS < T) {
                addRow(dqkv, (b * T + ta + TiledMatmul.THREADS) * C3 + part, j0 + lx, hs, s10, s11, s12, s13);
            }
            if (ta + 2 * TiledMatmul.THREADS >= lo && ta + 2 * TiledMatmul.THREADS < hi && ta + 2 * TiledMatmul.THREADS < T) {
                addRow(dqkv, (b * T + ta + 2 * TiledMatmul.THREADS) * C3 + part, j0 + lx, hs, s20, s21, s22, s23);
            }
            if (ta + 3 * TiledMatmul.THREADS >= lo && ta + 3 * TiledMatmul.THREADS < hi && ta + 3 * TiledMatmul.THREADS < T) {
                addRow(dqkv, (b * T + ta + 3 * TiledMatmul.THREADS) * C3 + part, j0 + lx, hs, s30, s31, s32, s33);
            }
        }
    }

    /** dqkv[at + THREADS·jj] += v_jj for the channels j + THREADS·jj below hs. */
    private static void addRow(float[] dqkv, int at, int j, int hs, float v0, float v1, float v2, float v3) {
        if (j < hs) {
            dqkv[at] += v0;
        }
        if (j + TiledMatmul.THREADS < hs) {
            dqkv[at + TiledMatmul.THREADS] += v1;
        }
        if (j + 2 * TiledMatmul.THREADS < hs) {
            dqkv[at + 2 * TiledMatmul.THREADS] += v2;
        }
        if (j + 3 * TiledMatmul.THREADS < hs) {
            dqkv[at + 3 * TiledMatmul.THREADS] += v3;
        }
    }
}
