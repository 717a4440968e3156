package modej.engine.jvm;

import static modej.engine.jvm.VectorMath.F;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Vector API fast paths of {@link modej.engine.kernel.Gate}'s mix and its input gradient: rows
 * of C elements times one gate weight per row, the portable kernel's multiply (and add) lane by
 * lane, so results are bit-identical to it. The other Gate kernels work on E1 ≤ a few sources per
 * row and stay portable.
 */
public final class GateVector {

    private GateVector() {
    }

    /** out (rows, C) = (or += when accumulate ≠ 0) weights[row / rowsPerGate][source] · y (rows, C). */
    public static void mixForward(float[] out, float[] y, float[] weights, int source, int E1, int C, int rowsPerGate,
                           int accumulate, int offset, int count) {
        // Two small methods rather than one with both loops: each compiles on its own profile.
        if (accumulate == 0) {
            mixWrite(out, y, weights, source, E1, C, rowsPerGate, offset, count);
        } else {
            mixBackwardInput(out, y, weights, source, E1, C, rowsPerGate, offset, count);   // out += w · y
        }
    }

    /** out (rows, C) = weights[row / rowsPerGate][source] · y (rows, C). */
    private static void mixWrite(float[] out, float[] y, float[] weights, int source, int E1, int C,
                                 int rowsPerGate, int offset, int count) {
        int full = F.loopBound(C);
        VectorMask<Float> tail = F.indexInRange(full, C);
        for (int r = offset; r < offset + count; r++) {
            float w = weights[(r / rowsPerGate) * E1 + source];
            int x = r * C;
            int c = 0;
            for (; c < full; c += F.length()) {
                FloatVector.fromArray(F, y, x + c).mul(w).intoArray(out, x + c);
            }
            if (c < C) {
                FloatVector.fromArray(F, y, x + c, tail).mul(w).intoArray(out, x + c, tail);
            }
        }
    }

    /** dy (rows, C) += weights[row / rowsPerGate][source] · dout (rows, C). */
    public static void mixBackwardInput(float[] dy, float[] dout, float[] weights, int source, int E1, int C,
                                        int rowsPerGate, int offset, int count) {
        int full = F.loopBound(C);
        VectorMask<Float> tail = F.indexInRange(full, C);
        for (int r = offset; r < offset + count; r++) {
            float w = weights[(r / rowsPerGate) * E1 + source];
            int x = r * C;
            int c = 0;
            for (; c < full; c += F.length()) {
                FloatVector t = FloatVector.fromArray(F, dout, x + c).mul(w);
                FloatVector.fromArray(F, dy, x + c).add(t).intoArray(dy, x + c);
            }
            if (c < C) {
                FloatVector t = FloatVector.fromArray(F, dout, x + c, tail).mul(w);
                FloatVector.fromArray(F, dy, x + c, tail).add(t).intoArray(dy, x + c, tail);
            }
        }
    }
}
