package modej.engine.jvm;

import static modej.engine.jvm.VectorMath.F;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API fast path of {@link modej.engine.kernel.LayerNorm}.
 *
 * <p>forward and backwardInput work row by row, vectorised along C. A row's sums are kept in
 * {@link #R}-lane partial sums (lane l adds channels l, l + 8, …, a masked vector for the tail)
 * and the lanes are then added in lane order, so a row's result depends on nothing but the row:
 * bit-identical for any split of the rows and any JIT tier. The species is fixed at 8 lanes so
 * the result does not depend on the machine's vector width either. The summation order differs
 * from the portable kernel's, so mean, rstd and what depends on them agree with it to rounding,
 * not bit for bit; the elementwise steps use the portable kernel's operations.
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
            // 1. mean
            FloatVector acc = FloatVector.zero(R);
            int c = 0;
            for (; c < full; c += L) {
                acc = acc.add(FloatVector.fromArray(R, inp, x + c));
            }
            if (c < C) {
                acc = acc.add(FloatVector.fromArray(R, inp, x + c, tail), tail);
            }
            float m = VectorMath.sum(acc) / C;
            // 2. variance about the mean
            acc = FloatVector.zero(R);
            for (c = 0; c < full; c += L) {
                FloatVector d = FloatVector.fromArray(R, inp, x + c).sub(m);
                acc = d.fma(d, acc);
            }
            if (c < C) {
                FloatVector d = FloatVector.fromArray(R, inp, x + c, tail).sub(m);
                acc = acc.add(d.mul(d), tail);
            }
            float var = VectorMath.sum(acc) / C;
            float s = (float) (1.0 / Math.sqrt(var + EPS));
            // 3. out = (inp − mean) · rstd · weight + bias
            for (c = 0; c < full; c += L) {
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

    /** dinp (rows, C) += rstd · (dnorm − mean(dnorm) − norm · mean(dnorm · norm)). */
    public static void backwardInput(float[] dinp, float[] dout, float[] inp, float[] mean, float[] rstd,
                                     float[] params, int wOff, int C, int offset, int count) {
        int full = R.loopBound(C);
        VectorMask<Float> tail = R.indexInRange(full, C);
        for (int row = offset; row < offset + count; row++) {
            int x = row * C;
            float m = mean[row];
            float s = rstd[row];
            // 1. Σ dnorm and Σ dnorm · norm
            FloatVector sumD = FloatVector.zero(R);
            FloatVector sumDN = FloatVector.zero(R);
            int c = 0;
            for (; c < full; c += L) {
                FloatVector norm = FloatVector.fromArray(R, inp, x + c).sub(m).mul(s);
                FloatVector dnorm = FloatVector.fromArray(R, dout, x + c).mul(FloatVector.fromArray(R, params, wOff + c));
                sumD = sumD.add(dnorm);
                sumDN = dnorm.fma(norm, sumDN);
            }
            if (c < C) {
                FloatVector norm = FloatVector.fromArray(R, inp, x + c, tail).sub(m).mul(s);
                FloatVector dnorm = FloatVector.fromArray(R, dout, x + c, tail)
                        .mul(FloatVector.fromArray(R, params, wOff + c, tail));
                sumD = sumD.add(dnorm, tail);
                sumDN = sumDN.add(dnorm.mul(norm), tail);
            }
            float dnormMean = VectorMath.sum(sumD) / C;
            float dnormNormMean = VectorMath.sum(sumDN) / C;
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
