package modej.engine.jvm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Vector API fast path of the causal multi-head attention kernel {@code modej.engine.kernel.Attention}:
 * the same methods with the same parameters.
 *
 * <p>Shapes: qkv (B, T, 3C) with q at channels [0, C), k at [C, 2C), v at [2C, 3C) of each row;
 * NH heads of size hs = C / NH, head h at channels h·hs…; att and dpreatt (B, NH, T, T); out and
 * dout (B, T, C); dqkv (B, T, 3C). Parallel index {@code idx = (b·NH + h)·T + t}.
 *
 * <p>A part [offset, offset + count) is cut into runs of rows t in [tLo, tHi) of one (b, h), and
 * each run is a few small {@link Gemm}s that skip the causal zero triangle per register block.
 * Row blocks are aligned to absolute t, and every per-row step (softmax, the Σ att·datt
 * correction) depends on t only, so results are bit-identical for any split.
 */
public final class AttentionVector {

    private AttentionVector() {
    }

    /**
     * att[b,h,t,t2] = softmax over t2 ≤ t of scale·q[t]·k[t2] (0 for t2 &gt; t, whole row written);
     * out[b,t,h·hs…] = Σ_t2 att[t2]·v[t2].
     */
    public static void forward(float[] out, float[] att, float[] qkv, int T, int C, int NH,
                               int offset, int count) {
        int hs = C / NH;
        float scale = scale(hs);
        float[] tmp = Gemm.scratch().extra(Gemm.V);
        int end = offset + count;
        for (int idx = offset; idx < end; ) {
            int bh = idx / T, b = bh / NH, h = bh % NH;
            int tLo = idx - bh * T, tHi = Math.min(T, end - bh * T);
            int q = b * T * 3 * C + h * hs, a = bh * T * T;
            // 1. scores: att[t][t2] = q[t]·k[t2] for t2 ≤ t (the rest of the block is overwritten below)
            Gemm.multiply(tLo, tHi, tHi, hs,
                    qkv, q, 3 * C, 1,
                    qkv, q + C, 1, 3 * C,
                    att, a, T, false, Gemm.LOWER_COLS);
            // 2. softmax of scale·scores over t2 ≤ t, zeros beyond
            for (int t = tLo; t < tHi; t++) {
                softmaxRow(att, a + t * T, t + 1, T, scale, tmp);
            }
            // 3. out[t] = Σ_t2 att[t][t2]·v[t2]
            Gemm.multiply(tLo, tHi, hs, T,
                    att, a, T, 1,
                    qkv, q + 2 * C, 3 * C, 1,
                    out, b * T * C + h * hs, C, false, Gemm.LOWER_K);
            idx = bh * T + tHi;
        }
    }

    /**
     * datt[t2] = dout[b,t,h·hs…]·v[t2]; dpreatt[b,h,t,t2] = scale·att[t2]·(datt[t2] − Σ_j att[j]·datt[j])
     * for t2 ≤ t, 0 beyond (whole row written).
     */
    public static void backwardScores(float[] dpreatt, float[] dout, float[] att, float[] qkv, int T, int C, int NH,
                                      int offset, int count) {
        int hs = C / NH;
        float scale = scale(hs);
        float[] tmp = Gemm.scratch().extra(Gemm.V);
        int end = offset + count;
        for (int idx = offset; idx < end; ) {
            int bh = idx / T, b = bh / NH, h = bh % NH;
            int tLo = idx - bh * T, tHi = Math.min(T, end - bh * T);
            int a = bh * T * T;
            // 1. datt[t][t2] = dout[t]·v[t2] for t2 ≤ t, into dpreatt
            Gemm.multiply(tLo, tHi, tHi, hs,
                    dout, b * T * C + h * hs, C, 1,
                    qkv, b * T * 3 * C + 2 * C + h * hs, 1, 3 * C,
                    dpreatt, a, T, false, Gemm.LOWER_COLS);
            // 2. through the softmax, in place
            for (int t = tLo; t < tHi; t++) {
                softmaxBackwardRow(dpreatt, att, a + t * T, t + 1, T, scale, tmp);
            }
            idx = bh * T + tHi;
        }
    }

    /**
     * dq[t] += Σ_{t2 ≤ t} dpreatt[t][t2]·k[t2]; dk[t] += Σ_{t1 ≥ t} dpreatt[t1][t]·q[t1];
     * dv[t] += Σ_{t1 ≥ t} att[t1][t]·dout[t1]; for each (b, h, t) of the part.
     */
    public static void backwardInput(float[] dqkv, float[] dpreatt, float[] att, float[] qkv, float[] dout,
                                     int T, int C, int NH, int offset, int count) {
        int hs = C / NH;
        int end = offset + count;
        for (int idx = offset; idx < end; ) {
            int bh = idx / T, b = bh / NH, h = bh % NH;
            int tLo = idx - bh * T, tHi = Math.min(T, end - bh * T);
            int q = b * T * 3 * C + h * hs, a = bh * T * T;
            // dq = dpre · K (dpre lower triangular)
            Gemm.multiply(tLo, tHi, hs, T,
                    dpreatt, a, T, 1,
                    qkv, q + C, 3 * C, 1,
                    dqkv, q, 3 * C, true, Gemm.LOWER_K);
            // dk = dpreᵀ · Q (dpreᵀ upper triangular)
            Gemm.multiply(tLo, tHi, hs, T,
                    dpreatt, a, 1, T,
                    qkv, q, 3 * C, 1,
                    dqkv, q + C, 3 * C, true, Gemm.UPPER_K);
            // dv = attᵀ · dout (attᵀ upper triangular)
            Gemm.multiply(tLo, tHi, hs, T,
                    att, a, 1, T,
                    dout, b * T * C + h * hs, C, 1,
                    dqkv, q + 2 * C, 3 * C, true, Gemm.UPPER_K);
            idx = bh * T + tHi;
        }
    }

    static float scale(int hs) {
        return (float) (1.0 / Math.sqrt(hs));
    }

    // Row tails: the last partial vector [vec, vec + V) is computed in full when it fits in the
    // row (lanes past n hold garbage until the zero fill), else lane by lane with the same
    // operations; sums and maxima take the vector lanes first, then the tail in order. Masked
    // vector operations are avoided (C2 does not always intrinsify them), and each vector loop
    // is a small method of its own that takes no vectors: one large method with several loops
    // exceeds C2's inlining node budget, and then vectors get boxed (10× slower).

    /** row[0, n) = softmax(scale·row[0, n)), row[n, T) = 0; tmp holds V floats. */
    static void softmaxRow(float[] x, int row, int n, int T, float scale, float[] tmp) {
        int vec = n - n % Gemm.V;
        int full = vec < n && vec + Gemm.V <= T ? vec + Gemm.V : vec;
        float max = maxOf(x, row, vec, tmp);
        for (int i = vec; i < n; i++) {
            float v = x[row + i];
            max = v > max ? v : max;
        }
        float shift = scale * max;
        float sum = expSumRun(x, row, vec, scale, shift, tmp);
        if (full > vec) {
            expRun(x, row + vec, Gemm.V, scale, shift);
        } else {
            for (int i = vec; i < n; i++) {
                x[row + i] = exp(scale * x[row + i] - shift);
            }
        }
        for (int i = vec; i < n; i++) {
            sum += x[row + i];
        }
        float inv = 1f / sum;
        scaleRun(x, row, full, inv);
        for (int i = full; i < n; i++) {
            x[row + i] *= inv;
        }
        java.util.Arrays.fill(x, row + n, row + T, 0f);
    }

    /** d[row + t2] holds datt; becomes scale·att·(datt − Σ att·datt) for t2 &lt; n, 0 up to T; tmp holds V floats. */
    static void softmaxBackwardRow(float[] d, float[] att, int row, int n, int T, float scale, float[] tmp) {
        int vec = n - n % Gemm.V;
        int full = vec < n && vec + Gemm.V <= T ? vec + Gemm.V : vec;
        float dot = dotOf(att, d, row, vec, tmp);
        for (int i = vec; i < n; i++) {
            dot = Math.fma(att[row + i], d[row + i], dot);
        }
        backRun(d, att, row, full, dot, scale);
        for (int i = full; i < n; i++) {
            d[row + i] = (d[row + i] - dot) * (att[row + i] * scale);
        }
        java.util.Arrays.fill(d, row + n, row + T, 0f);
    }

    /** max of x[row, row + vec), vec a multiple of V (−∞ when 0). */
    private static float maxOf(float[] x, int row, int vec, float[] tmp) {
        FloatVector m = FloatVector.broadcast(Gemm.SPECIES, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < vec; i += Gemm.V) {
            m = m.lanewise(VectorOperators.MAX, FloatVector.fromArray(Gemm.SPECIES, x, row + i));
        }
        return maxLanes(m, tmp);
    }

    /** x = exp(scale·x − shift) on [row, row + len), len a multiple of V; returns Σ x as V lane sums, then {@link #sumLanes}. */
    private static float expSumRun(float[] x, int row, int len, float scale, float shift, float[] tmp) {
        FloatVector s = FloatVector.zero(Gemm.SPECIES);
        for (int i = 0; i < len; i += Gemm.V) {
            FloatVector e = exp(FloatVector.fromArray(Gemm.SPECIES, x, row + i).mul(scale).sub(shift));
            e.intoArray(x, row + i);
            s = s.add(e);
        }
        return sumLanes(s, tmp);
    }

    /** Σ a·b over [row, row + vec) with V lane fma chains, then {@link #sumLanes}. */
    private static float dotOf(float[] a, float[] b, int row, int vec, float[] tmp) {
        FloatVector s = FloatVector.zero(Gemm.SPECIES);
        for (int i = 0; i < vec; i += Gemm.V) {
            s = FloatVector.fromArray(Gemm.SPECIES, a, row + i).fma(FloatVector.fromArray(Gemm.SPECIES, b, row + i), s);
        }
        return sumLanes(s, tmp);
    }

    /** x = exp(scale·x − shift) on [row, row + len), len a multiple of V. */
    private static void expRun(float[] x, int row, int len, float scale, float shift) {
        for (int i = 0; i < len; i += Gemm.V) {
            exp(FloatVector.fromArray(Gemm.SPECIES, x, row + i).mul(scale).sub(shift)).intoArray(x, row + i);
        }
    }

    /** x *= f on [row, row + len), len a multiple of V. */
    private static void scaleRun(float[] x, int row, int len, float f) {
        for (int i = 0; i < len; i += Gemm.V) {
            FloatVector.fromArray(Gemm.SPECIES, x, row + i).mul(f).intoArray(x, row + i);
        }
    }

    /** d = (d − dot)·(att·scale) on [row, row + len), len a multiple of V. */
    private static void backRun(float[] d, float[] att, int row, int len, float dot, float scale) {
        for (int i = 0; i < len; i += Gemm.V) {
            FloatVector p = FloatVector.fromArray(Gemm.SPECIES, att, row + i);
            FloatVector.fromArray(Gemm.SPECIES, d, row + i).sub(dot).mul(p.mul(scale)).intoArray(d, row + i);
        }
    }

    // The lane sum and exp here are built from exactly rounded lanewise operations only, so
    // interpreted, C1 and C2 code (and vector and scalar lanes) give the same bits. The Vector
    // API's own reduceLanes(ADD) and lanewise(EXP) make no such promise.

    /**
     * The largest lane of v (exact in any order), via tmp (V floats). Compares rather than
     * {@code Math.max}, whose NaN and −0 handling made this loop the softmax's slowest part.
     */
    static float maxLanes(FloatVector v, float[] tmp) {
        v.intoArray(tmp, 0);
        float m = tmp[0];
        for (int i = 1; i < Gemm.V; i++) {
            float x = tmp[i];
            m = x > m ? x : m;
        }
        return m;
    }

    /** Σ lanes of v as a fixed pairwise tree (lane i + lane i + V/2, …), via tmp (V floats). */
    static float sumLanes(FloatVector v, float[] tmp) {
        v.intoArray(tmp, 0);
        for (int w = Gemm.V / 2; w >= 1; w /= 2) {
            for (int i = 0; i < w; i++) {
                tmp[i] += tmp[i + w];
            }
        }
        return tmp[0];
    }

    private static final float LOG2E = 1.44269504f;
    private static final float LN2_HI = 0.693359375f;        // exact in 9 bits
    private static final float LN2_LO = -2.12194440e-4f;     // ln 2 − LN2_HI
    private static final float ROUNDER = 12582912f;          // 1.5·2²³: adding it rounds to an integer
    private static final float EXP_MIN = -87f;               // exp(−87) is still a normal float
    // Taylor coefficients 1/k! of e^r on |r| ≤ ln2/2: truncation below 1e-8 relative.
    private static final float E2 = 1f / 2, E3 = 1f / 6, E4 = 1f / 24, E5 = 1f / 120, E6 = 1f / 720, E7 = 1f / 5040;

    /**
     * e^x for x ≤ 0 (softmax after subtracting the max), within 2 ulp; x &lt; −87 gives e^−87.
     * x = n·ln2 + r, e^x = 2ⁿ·e^r with a degree-7 polynomial.
     */
    static FloatVector exp(FloatVector x) {
        x = x.max(EXP_MIN);
        FloatVector t = x.fma(LOG2E, ROUNDER);               // ROUNDER + round(x·log2 e)
        FloatVector n = t.sub(ROUNDER);
        FloatVector r = n.fma(bc(-LN2_HI), x);
        r = n.fma(bc(-LN2_LO), r);
        FloatVector p = r.fma(E7, E6);
        p = p.fma(r, bc(E5));
        p = p.fma(r, bc(E4));
        p = p.fma(r, bc(E3));
        p = p.fma(r, bc(E2));
        p = p.fma(r, bc(1f));
        p = p.fma(r, bc(1f));
        jdk.incubator.vector.IntVector bits = t.reinterpretAsInts()
                .sub(Float.floatToRawIntBits(ROUNDER) - 127)
                .lanewise(VectorOperators.LSHL, 23);
        return p.mul(bits.reinterpretAsFloats());
    }

    private static FloatVector bc(float v) {
        return FloatVector.broadcast(Gemm.SPECIES, v);
    }

    /** The same computation as {@link #exp(FloatVector)} for one value, bit for bit. */
    static float exp(float x) {
        x = Math.max(x, EXP_MIN);
        float t = Math.fma(x, LOG2E, ROUNDER);
        float n = t - ROUNDER;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(r, E7, E6);
        p = Math.fma(p, r, E5);
        p = Math.fma(p, r, E4);
        p = Math.fma(p, r, E3);
        p = Math.fma(p, r, E2);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        int bits = (Float.floatToRawIntBits(t) - (Float.floatToRawIntBits(ROUNDER) - 127)) << 23;
        return p * Float.intBitsToFloat(bits);
    }
}
