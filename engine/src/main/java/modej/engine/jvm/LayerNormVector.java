package modej.engine.jvm;

import static modej.engine.jvm.VectorMath.F;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API fast path of {@link modej.engine.kernel.LayerNorm}.
 *
 * <p>forward and backwardInput work row by row, vectorised along C. A row's sums are kept in
 * 16 partial sums (two 8-lane accumulators; channel c goes to lane c mod 8 of accumulator
 * (c / 8) mod 2, a masked vector for the tail), combined in a fixed order at the end, so a row's
 * result depends on nothing but the row: bit-identical for any split of the rows and any JIT
 * tier. The species is fixed at 8 lanes so the result does not depend on the machine's vector
 * width either. The summation order differs from the portable kernel's, so mean, rstd and what
 * depends on them agree with it to rounding, not bit for bit; the elementwise steps use the
 * portable kernel's operations.
 *
 * <p>backwardParams is vectorised across the worker's channels with each channel summing over
 * the rows in the portable kernel's order and operations: bit-identical to the portable kernel.
 */
public final class LayerNormVector {

    /** Row reductions: 8 lanes on every machine. */
    static final VectorSpecies<Float> R = FloatVector.SPECIES_256;
    private static final int L = R.length();
    private static final float EPS = 1e-5f;

    private LayerNormVector() {
    }

    /** out (rows, C), mean (rows), rstd (rows) from inp (rows, C). */
    public static void forward(float[] out, float[] mean, float[] rstd, float[] inp, float[] params, int wOff,
                               int bOff, int C, int offset, int count) {
        int full = R.loopBound(C);
        VectorMask<Float> tail = R.indexInRange(full, C);
        for (int row = offset; row < offset + count; row++) {
            int x = row * C;
            float m = sum(inp, x, C) / C;
            float var = sumSquaredDeviations(inp, x, C, m) / C;
            float s = (float) (1.0 / Math.sqrt(var + EPS));
            // out = (inp − mean) · rstd · weight + bias
            int c = 0;
            for (; c < full; c += L) {
                FloatVector.fromArray(R, inp, x + c).sub(m).mul(s)
                        .mul(FloatVector.fromArray(R, params, wOff + c))
                        .add(FloatVector.fromArray(R, params, bOff + c))
                        .intoArray(out, x + c);
            }
            if (c < C) {
                FloatVector.fromArray(R, inp, x + c, tail).sub(m).mul(s)
                        .mul(FloatVector.fromArray(R, params, wOff + c, tail))
                        .add(FloatVector.fromArray(R, params, bOff + c, tail))
                        .intoArray(out, x + c, tail);
            }
            mean[row] = m;
            rstd[row] = s;
        }
    }

    // Row sums. Element c goes to lane c mod 8 of accumulator (c / 8) mod 2, each lane adding its
    // elements in increasing c; at the end the two accumulators are added lane by lane and the
    // lanes in lane order. The loops swap the two accumulators after every vector (two chains of
    // dependent adds instead of one, one call site per operation); IEEE addition is commutative,
    // so which variable ends up holding which accumulator does not matter.

    /** Σ a[x + c] over c in [0, C). */
    static float sum(float[] a, int x, int C) {
        FloatVector acc0 = FloatVector.zero(R), acc1 = acc0;
        int c = 0;
        for (; c + L <= C; c += L) {
            FloatVector t = acc0.add(FloatVector.fromArray(R, a, x + c));
            acc0 = acc1;
            acc1 = t;
        }
        if (c < C) {
            VectorMask<Float> k = R.indexInRange(c, C);
            acc0 = acc0.add(FloatVector.fromArray(R, a, x + c, k), k);
        }
        return VectorMath.sum(acc0.add(acc1));
    }

    /** Σ (a[x + c] − m)² over c in [0, C), each term a fused multiply-add. */
    static float sumSquaredDeviations(float[] a, int x, int C, float m) {
        FloatVector acc0 = FloatVector.zero(R), acc1 = acc0;
        int c = 0;
        for (; c + L <= C; c += L) {
            FloatVector d = FloatVector.fromArray(R, a, x + c).sub(m);
            FloatVector t = d.fma(d, acc0);
            acc0 = acc1;
            acc1 = t;
        }
        if (c < C) {
            VectorMask<Float> k = R.indexInRange(c, C);
            FloatVector d = FloatVector.fromArray(R, a, x + c, k).sub(m);
            acc0 = acc0.blend(d.fma(d, acc0), k);
        }
        return VectorMath.sum(acc0.add(acc1));
    }

    /** dinp (rows, C) += rstd · (dnorm − mean(dnorm) − norm · mean(dnorm · norm)). */
    public static void backwardInput(float[] dinp, float[] dout, float[] inp, float[] mean, float[] rstd,
                                     float[] params, int wOff, int C, int offset, int count) {
        int full = R.loopBound(C);
        VectorMask<Float> tail = R.indexInRange(full, C);
        for (int row = offset; row < offset + count; row++) {
            int x = row * C;
            float m = mean[row];
            float s = rstd[row];
            // 1. Σ dnorm and Σ dnorm · norm (lanes and accumulators as in the row sums above)
            FloatVector sumD0 = FloatVector.zero(R), sumD1 = sumD0, sumDN0 = sumD0, sumDN1 = sumD0;
            int c = 0;
            for (; c < full; c += L) {
                FloatVector norm = FloatVector.fromArray(R, inp, x + c).sub(m).mul(s);
                FloatVector dnorm = FloatVector.fromArray(R, dout, x + c).mul(FloatVector.fromArray(R, params, wOff + c));
                FloatVector t = sumD0.add(dnorm);
                FloatVector u = dnorm.fma(norm, sumDN0);
                sumD0 = sumD1;
                sumD1 = t;
                sumDN0 = sumDN1;
                sumDN1 = u;
            }
            if (c < C) {
                FloatVector norm = FloatVector.fromArray(R, inp, x + c, tail).sub(m).mul(s);
                FloatVector dnorm = FloatVector.fromArray(R, dout, x + c, tail)
                        .mul(FloatVector.fromArray(R, params, wOff + c, tail));
                sumD0 = sumD0.add(dnorm, tail);
                sumDN0 = sumDN0.blend(dnorm.fma(norm, sumDN0), tail);
            }
            float dnormMean = VectorMath.sum(sumD0.add(sumD1)) / C;
            float dnormNormMean = VectorMath.sum(sumDN0.add(sumDN1)) / C;
            // 2. dinp += (dnorm − mean(dnorm) − norm · mean(dnorm · norm)) · rstd
            for (c = 0; c < full; c += L) {
                FloatVector norm = FloatVector.fromArray(R, inp, x + c).sub(m).mul(s);
                FloatVector dnorm = FloatVector.fromArray(R, dout, x + c).mul(FloatVector.fromArray(R, params, wOff + c));
                FloatVector g = dnorm.sub(dnormMean).sub(norm.mul(dnormNormMean)).mul(s);
                FloatVector.fromArray(R, dinp, x + c).add(g).intoArray(dinp, x + c);
            }
            if (c < C) {
                FloatVector norm = FloatVector.fromArray(R, inp, x + c, tail).sub(m).mul(s);
                FloatVector dnorm = FloatVector.fromArray(R, dout, x + c, tail)
                        .mul(FloatVector.fromArray(R, params, wOff + c, tail));
                FloatVector g = dnorm.sub(dnormMean).sub(norm.mul(dnormNormMean)).mul(s);
                FloatVector.fromArray(R, dinp, x + c, tail).add(g).intoArray(dinp, x + c, tail);
            }
        }
    }

    /**
     * dweight (C) += Σ_rows dout · norm; dbias (C) += Σ_rows dout, for channels
     * [offset, offset + count). Lanes are channels; blocks of 4 vectors share each pass over the
     * rows, then single (masked) vectors finish the range.
     */
    public static void backwardParams(float[] grads, int dwOff, int dbOff, float[] dout, float[] inp,
                                      float[] mean, float[] rstd, int rows, int C, int offset, int count) {
        int end = offset + count;
        int c = offset;
        for (; c + 4 * F.length() <= end; c += 4 * F.length()) {
            paramsBlock4(grads, dwOff, dbOff, dout, inp, mean, rstd, rows, C, c);
        }
        for (; c < end; c += F.length()) {
            paramsVector(grads, dwOff, dbOff, dout, inp, mean, rstd, rows, C, c, F.indexInRange(c, end));
        }
    }

    /** Channels [c, c + 4·F.length()), all in range. */
    private static void paramsBlock4(float[] grads, int dwOff, int dbOff, float[] dout, float[] inp,
                                     float[] mean, float[] rstd, int rows, int C, int c) {
        int n = F.length();
        FloatVector dw0 = FloatVector.zero(F), dw1 = dw0, dw2 = dw0, dw3 = dw0;
        FloatVector db0 = dw0, db1 = dw0, db2 = dw0, db3 = dw0;
        for (int r = 0; r < rows; r++) {
            int x = r * C + c;
            float m = mean[r];
            float s = rstd[r];
            FloatVector d0 = FloatVector.fromArray(F, dout, x);
            FloatVector d1 = FloatVector.fromArray(F, dout, x + n);
            FloatVector d2 = FloatVector.fromArray(F, dout, x + 2 * n);
            FloatVector d3 = FloatVector.fromArray(F, dout, x + 3 * n);
            dw0 = dw0.add(d0.mul(FloatVector.fromArray(F, inp, x).sub(m)).mul(s));
            dw1 = dw1.add(d1.mul(FloatVector.fromArray(F, inp, x + n).sub(m)).mul(s));
            dw2 = dw2.add(d2.mul(FloatVector.fromArray(F, inp, x + 2 * n).sub(m)).mul(s));
            dw3 = dw3.add(d3.mul(FloatVector.fromArray(F, inp, x + 3 * n).sub(m)).mul(s));
            db0 = db0.add(d0);
            db1 = db1.add(d1);
            db2 = db2.add(d2);
            db3 = db3.add(d3);
        }
        addInto(grads, dwOff + c, dw0);
        addInto(grads, dwOff + c + n, dw1);
        addInto(grads, dwOff + c + 2 * n, dw2);
        addInto(grads, dwOff + c + 3 * n, dw3);
        addInto(grads, dbOff + c, db0);
        addInto(grads, dbOff + c + n, db1);
        addInto(grads, dbOff + c + 2 * n, db2);
        addInto(grads, dbOff + c + 3 * n, db3);
    }

    /** The channels of one vector at c, those of mask k. */
    private static void paramsVector(float[] grads, int dwOff, int dbOff, float[] dout, float[] inp,
                                     float[] mean, float[] rstd, int rows, int C, int c, VectorMask<Float> k) {
        FloatVector dw = FloatVector.zero(F), db = dw;
        for (int r = 0; r < rows; r++) {
            int x = r * C + c;
            FloatVector d = FloatVector.fromArray(F, dout, x, k);
            dw = dw.add(d.mul(FloatVector.fromArray(F, inp, x, k).sub(mean[r])).mul(rstd[r]));
            db = db.add(d);
        }
        FloatVector.fromArray(F, grads, dwOff + c, k).add(dw).intoArray(grads, dwOff + c, k);
        FloatVector.fromArray(F, grads, dbOff + c, k).add(db).intoArray(grads, dbOff + c, k);
    }

    private static void addInto(float[] a, int i, FloatVector v) {
        FloatVector.fromArray(F, a, i).add(v).intoArray(a, i);
    }
}
