package modej.engine.kernel;

/**
 * Causal multi-head self-attention, as llm.c's attention_forward/backward.
 *
 * <p>Shapes: qkv (B,T,3C) with q at channels [0,C), k at [C,2C), v at [2C,3C) of each row; NH heads of
 * hs = C/NH channels, head h at h·hs … h·hs+hs−1; att (B,NH,T,T) the softmax probabilities (0 where
 * t2 > t); out (B,T,C); scale = 1/sqrt(hs). Every kernel is parallel over
 * idx = (b·NH + h)·T + t in [0, B·NH·T), so row idx of att is {@code att[idx·T …]}.
 */
public final class Attention {

    private Attention() {
    }

    /**
     * att (B,NH,T,T) = softmax_t2≤t(scale · q[t]·k[t2]), the whole row t (0 for t2 > t);
     * out (B,T,C)[b,t,head h] = Σ_t2≤t att[t2] · v[t2]. Parallel over (b,h,t).
     */
    public static void forward(float[] out, float[] att, float[] qkv, int T, int C, int NH, int offset, int count) {
        int C3 = 3 * C;
        int hs = C / NH;
        float scale = (float) (1.0 / Math.sqrt(hs));
        for (@Parallel int i = 0; i < count; i++) {
            int idx = offset + i;
            int t = idx % T;
            int bh = idx / T;
            int h = bh % NH;
            int b = bh / NH;
            int q = (b * T + t) * C3 + h * hs;
            int a = idx * T;
            // 1. scaled scores q·k for t2 <= t, kept in the att row, and their maximum
            float max = -Float.MAX_VALUE;
            for (int t2 = 0; t2 <= t; t2++) {
                int k = (b * T + t2) * C3 + C + h * hs;
                float dot = 0f;
                for (int j = 0; j < hs; j++) {
                    dot += qkv[q + j] * qkv[k + j];
                }
                dot = dot * scale;
                att[a + t2] = dot;
                if (dot > max) {
                    max = dot;
                }
            }
            // 2. softmax over t2 <= t, with the maximum subtracted; 0 for the masked future
            float sum = 0f;
            for (int t2 = 0; t2 <= t; t2++) {
                float e = FloatMath.exp(att[a + t2] - max);
                att[a + t2] = e;
                sum += e;
            }
            float inv = 1f / sum;
            for (int t2 = 0; t2 <= t; t2++) {
                att[a + t2] = att[a + t2] * inv;
            }
            for (int t2 = t + 1; t2 < T; t2++) {
                att[a + t2] = 0f;
            }
            // 3. weighted sum of the values
            int o = (b * T + t) * C + h * hs;
            for (int j = 0; j < hs; j++) {
                float s = 0f;
                for (int t2 = 0; t2 <= t; t2++) {
                    s += att[a + t2] * qkv[(b * T + t2) * C3 + 2 * C + h * hs + j];
                }
                out[o + j] = s;
            }
        }
    }

    /**
     * dpreatt (B,NH,T,T), the gradient w.r.t. the unscaled scores q·k: with
     * datt[t2] = dout[b,t,head]·v[t2], dpreatt[t2] = scale · att[t2] · (datt[t2] − Σ_j att[j]·datt[j])
     * for t2 ≤ t and 0 for t2 > t (the whole row is written). Parallel over (b,h,t).
     */
    public static void backwardScores(float[] dpreatt, float[] dout, float[] att, float[] qkv, int T, int C, int NH,
                                      int offset, int count) {
        int C3 = 3 * C;
        int hs = C / NH;
        float scale = (float) (1.0 / Math.sqrt(hs));
        for (@Parallel int i = 0; i < count; i++) {
            int idx = offset + i;
            int t = idx % T;
            int bh = idx / T;
            int h = bh % NH;
            int b = bh / NH;
            int d = (b * T + t) * C + h * hs;
            int a = idx * T;
            // 1. datt[t2] = dout·v[t2], kept in the dpreatt row, and Σ att·datt
            float dot = 0f;
            for (int t2 = 0; t2 <= t; t2++) {
                int v = (b * T + t2) * C3 + 2 * C + h * hs;
                float s = 0f;
                for (int j = 0; j < hs; j++) {
                    s += dout[d + j] * qkv[v + j];
                }
                dpreatt[a + t2] = s;
                dot += att[a + t2] * s;
            }
            // 2. softmax backward, times the score scale; 0 for the masked future
            for (int t2 = 0; t2 <= t; t2++) {
                dpreatt[a + t2] = scale * att[a + t2] * (dpreatt[a + t2] - dot);
            }
            for (int t2 = t + 1; t2 < T; t2++) {
                dpreatt[a + t2] = 0f;
            }
        }
    }

    /**
     * dqkv (B,T,3C) += the gradients at position t of head h: dq[t] += Σ_t2≤t dpreatt[t][t2]·k[t2];
     * dk[t] += Σ_t1≥t dpreatt[t1][t]·q[t1]; dv[t] += Σ_t1≥t att[t1][t]·dout[t1]. Parallel over
     * (b,h,t) and, on a device, over the head's channels j too; each thread writes only its own
     * position, head and channel, so no two race.
     */
    public static void backwardInput(float[] dqkv, float[] dpreatt, float[] att, float[] qkv, float[] dout,
                                     int T, int C, int NH, int offset, int count) {
        int C3 = 3 * C;
        int hs = C / NH;
        for (@Parallel int i = 0; i < count; i++) {
            for (@Parallel int j = 0; j < hs; j++) {
                int idx = offset + i;
                int t = idx % T;
                int bh = idx / T;
                int h = bh % NH;
                int b = bh / NH;
                int self = (b * T + t) * C3 + h * hs;
                // dq[t]: row t of dpreatt against the keys
                float dq = 0f;
                for (int t2 = 0; t2 <= t; t2++) {
                    dq += dpreatt[idx * T + t2] * qkv[(b * T + t2) * C3 + C + h * hs + j];
                }
                // dk[t], dv[t]: column t of dpreatt and att against the later queries and douts
                float dk = 0f;
                float dv = 0f;
                for (int t1 = t; t1 < T; t1++) {
                    int col = (bh * T + t1) * T + t;
                    dk += dpreatt[col] * qkv[(b * T + t1) * C3 + h * hs + j];
                    dv += att[col] * dout[(b * T + t1) * C + h * hs + j];
                }
                dqkv[self + j] += dq;
                dqkv[self + C + j] += dk;
                dqkv[self + 2 * C + j] += dv;
            }
        }
    }
}
