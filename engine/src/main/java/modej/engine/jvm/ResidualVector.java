package modej.engine.jvm;

import static modej.engine.jvm.VectorMath.F;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Vector API fast path of {@link modej.engine.kernel.Residual}: the same additions lane by lane,
 * so results are bit-identical to the portable kernel. Full vectors, then one masked tail.
 */
public final class ResidualVector {

    private ResidualVector() {
    }

    /** out (n) = a (n) + b (n). */
    public static void forward(float[] out, float[] a, float[] b, int offset, int count) {
        int end = offset + count;
        int i = offset;
        for (int full = offset + F.loopBound(count); i < full; i += F.length()) {
            FloatVector.fromArray(F, a, i).add(FloatVector.fromArray(F, b, i)).intoArray(out, i);
        }
        if (i < end) {
            VectorMask<Float> m = F.indexInRange(i, end);
            FloatVector.fromArray(F, a, i, m).add(FloatVector.fromArray(F, b, i, m)).intoArray(out, i, m);
        }
    }

    /** da (n) += dout (n); db (n) += dout (n). */
    public static void backward(float[] da, float[] db, float[] dout, int offset, int count) {
        int end = offset + count;
        int i = offset;
        for (int full = offset + F.loopBound(count); i < full; i += F.length()) {
            FloatVector d = FloatVector.fromArray(F, dout, i);
            FloatVector.fromArray(F, da, i).add(d).intoArray(da, i);
            FloatVector.fromArray(F, db, i).add(d).intoArray(db, i);
        }
        if (i < end) {
            VectorMask<Float> m = F.indexInRange(i, end);
            FloatVector d = FloatVector.fromArray(F, dout, i, m);
            FloatVector.fromArray(F, da, i, m).add(d).intoArray(da, i, m);
            FloatVector.fromArray(F, db, i, m).add(d).intoArray(db, i, m);
        }
    }
}
