package modej.engine.jvm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementary functions on Vector API lanes, from plain IEEE arithmetic only, so every lane gives
 * the same bits whatever the JIT tier and whether it falls in a full or a masked (tail) vector.
 * That keeps fast paths bit-identical for any split of their range over workers.
 */
public final class VectorMath {

    public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5·2²³: adding and subtracting it rounds a float of magnitude < 2²² to the nearest integer. */
    private static final float ROUND = 12582912f;

    private VectorMath() {
    }

    /**
     * e^x per lane (Cephes expf: range reduction by ln 2, degree-6 polynomial; about 1 ulp), x clamped to ±87.
     * Works in x's own species.
     */
    public static FloatVector exp(FloatVector x) {
        x = x.max(-87f).min(87f);
        FloatVector n = x.mul(LOG2E).add(ROUND).sub(ROUND);               // round(x / ln 2)
        FloatVector r = n.mul(-LN2_HI).add(x);
        r = n.mul(-LN2_LO).add(r);                                         // r = x − n·ln 2, |r| ≤ ln2/2
        FloatVector p = r.fma(1.9875691500E-4f, 1.3981999507E-3f);
        p = p.fma(r, x.broadcast(8.3334519073E-3f));
        p = p.fma(r, x.broadcast(4.1665795894E-2f));
        p = p.fma(r, x.broadcast(1.6666665459E-1f));
        p = p.fma(r, x.broadcast(5.0000001201E-1f));
        p = p.fma(r.mul(r), r).add(1f);                                    // 1 + r + r²·P(r)
        IntVector bits = ((IntVector) n.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
        return p.mul(bits.reinterpretAsFloats());                          // · 2ⁿ
    }

    /** Scalar e^x with exactly the lane arithmetic of {@link #exp(FloatVector)}. */
    public static float exp(float x) {
        x = Math.min(87f, Math.max(-87f, x));
        float n = (x * LOG2E + ROUND) - ROUND;
        float r = n * -LN2_HI + x;
        r = n * -LN2_LO + r;
        float p = Math.fma(r, 1.9875691500E-4f, 1.3981999507E-3f);
        p = Math.fma(p, r, 8.3334519073E-3f);
        p = Math.fma(p, r, 4.1665795894E-2f);
        p = Math.fma(p, r, 1.6666665459E-1f);
        p = Math.fma(p, r, 5.0000001201E-1f);
        p = Math.fma(p, r * r, r) + 1f;
        return p * Float.intBitsToFloat(((int) n + 127) << 23);
    }

    /**
     * Σ of the lanes, added in lane order from lane 0. Unlike {@code reduceLanes(ADD)}, whose order
     * the Vector API leaves open, this gives the same bits in every JIT tier.
     */
    public static float sum(FloatVector v) {
        float s = v.lane(0);
        for (int l = 1; l < v.length(); l++) {
            s += v.lane(l);
        }
        return s;
    }
}
