package modej.engine.jvm;

import static modej.engine.jvm.VectorMath.F;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Vector API fast path of {@link modej.engine.kernel.Scale}: the same multiply (and add) lane by
 * lane, no fused multiply-add, so results are bit-identical to the portable kernel.
 */
public final class ScaleVector {

    private ScaleVector() {
    }

    /** out (n) = scale · inp (n). */
    public static void forward(float[] out, float[] inp, float scale, int offset, int count) {
        int end = offset + count;
        int i = offset;
        for (int full = offset + F.loopBound(count); i < full; i += F.length()) {
            FloatVector.fromArray(F, inp, i).mul(scale).intoArray(out, i);
        }
        if (i < end) {
            VectorMask<Float> m = F.indexInRange(i, end);
            FloatVector.fromArray(F, inp, i, m).mul(scale).intoArray(out, i, m);
        }
    }

    /** dinp (n) += scale · dout (n). */
    public static void backward(float[] dinp, float[] dout, float scale, int offset, int count) {
        int end = offset + count;
        int i = offset;
        for (int full = offset + F.loopBound(count); i < full; i += F.length()) {
            FloatVector d = FloatVector.fromArray(F, dout, i).mul(scale);
            FloatVector.fromArray(F, dinp, i).add(d).intoArray(dinp, i);
        }
        if (i < end) {
            VectorMask<Float> m = F.indexInRange(i, end);
            FloatVector d = FloatVector.fromArray(F, dout, i, m).mul(scale);
            FloatVector.fromArray(F, dinp, i, m).add(d).intoArray(dinp, i, m);
        }
    }
}
