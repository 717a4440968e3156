package modej.engine.kernel;

/**
 * Causal multi-head attention for one new position per sequence, reading the keys and values of
 * the earlier positions from a cache: the decode step of {@link Attention#forward}, so that
 * generating n tokens costs O(n·T) attention work instead of O(n·T²).
 *
 * <p>Shapes: qkv (B,3C), this step's q, k, v (q at [0,C), k at [C,2C), v at [2C,3C) of each row);
 * kcache, vcache (B,T,C) with T the cache length (the model's context); positions (B), the
 * position p of each row's new token (0 ≤ p &lt; T); scores (B,NH,T) scratch; out (B,C). NH heads
 * of hs = C/NH channels; scale = 1/sqrt(hs). Per step: {@link #store}, {@link #scores},
 * {@link #softmax}, {@link #values}, in that order. No backward: decoding does not train.
 */
public final class CachedAttention {

    private CachedAttention() {
    }

    /** kcache[b,p], vcache[b,p] (C each) = this step's k and v, p = positions[b]. Parallel over the B·C outputs. */
    public static void store(float[] kcache, float[] vcache, float[] qkv, int[] positions, int T, int C,
                             int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int j = offset + i;
            int b = j / C;
            int c = j - b * C;
            int at = (b * T + positions[b]) * C + c;
            kcache[at] = qkv[b * 3 * C + C + c];
            vcache[at] = qkv[b * 3 * C + 2 * C + c];
        }
    }

    /**
     * scores (B,NH,T)[b,h,t2] = scale · q[b,head h]·kcache[b,t2,head h] for t2 ≤ positions[b], and
     * −Float.MAX_VALUE for t2 beyond it (the whole row is written). Parallel over (b,h,t2).
     */
    public static void scores(float[] scores, float[] qkv, float[] kcache, int[] positions, int T, int C, int NH,
                              int offset, int count) {
        int hs = C / NH;
        float scale = (float) (1.0 / Math.sqrt(hs));
        for (@Parallel int i = 0; i < count; i++) {
            int idx = offset + i;
            int t2 = idx % T;
            int bh = idx / T;
            int h = bh % NH;
            int b = bh / NH;
            if (t2 <= positions[b]) {
                int q = b * 3 * C + h * hs;
                int k = (b * T + t2) * C + h * hs;
                float dot = 0f;
                for (int j = 0; j < hs; j++) {
                    dot += qkv[q + j] * kcache[k + j];
                }
                scores[idx] = dot * scale;
            } else {
                scores[idx] = -Float.MAX_VALUE;
            }
        }
    }

    /**
     * scores (B,NH,T) row (b,h) = softmax over t2 ≤ positions[b], the maximum subtracted; 0 beyond.
     * In place, each row by one worker. Parallel over (b,h).
     */
    public static void softmax(float[] scores, int[] positions, int T, int NH, int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int bh = offset + i;
            int b = bh / NH;
            int last = positions[b];
            int a = bh * T;
            float max = -Float.MAX_VALUE;
            for (int t2 = 0; t2 <= last; t2++) {
                if (scores[a + t2] > max) {
                    max = scores[a + t2];
                }
            }
            float sum = 0f;
            for (int t2 = 0; t2 <= last; t2++) {
                float e = FloatMath.exp(scores[a + t2] - max);
                scores[a + t2] = e;
                sum += e;
            }
            float inv = 1f / sum;
            for (int t2 = 0; t2 <= last; t2++) {
                scores[a + t2] = scores[a + t2] * inv;
            }
            for (int t2 = last + 1; t2 < T; t2++) {
                scores[a + t2] = 0f;
            }
        }
    }

    /**
     * out (B,C)[b,c] = Σ_t2≤positions[b] att[b,h,t2] · vcache[b,t2,c], h = c / hs, att the
     * probabilities {@link #softmax} left in scores (B,NH,T). Parallel over the B·C outputs.
     */
    public static void values(float[] out, float[] scores, float[] vcache, int[] positions, int T, int C, int NH,
                              int offset, int count) {
        int hs = C / NH;
        for (@Parallel int i = 0; i < count; i++) {
            int j = offset + i;
            int b = j / C;
            int c = j - b * C;
            int a = (b * NH + c / hs) * T;
            int last = positions[b];
            float s = 0f;
            for (int t2 = 0; t2 <= last; t2++) {
                s += scores[a + t2] * vcache[(b * T + t2) * C + c];
            }
            out[j] = s;
        }
    }
}
