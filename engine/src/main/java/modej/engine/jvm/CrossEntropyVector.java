package modej.engine.jvm;

import static modej.engine.jvm.VectorMath.F;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API fast path of {@link modej.engine.kernel.CrossEntropy}, row by row, vectorised along
 * the vocabulary.
 *
 * <p>forward: the arg-max is the first index whose logit equals the row maximum (found with a
 * vector max, then the first lane that compares equal), which is exactly the portable kernel's
 * first strict maximum; the maximum subtracted is that logit itself. The exponentials are
 * {@link VectorMath#exp} (about 1 ulp, arguments below −87 give e^−87 instead of underflowing) and
 * their sum is kept in 8-lane partial sums added in lane order at the end, so probs and losses
 * agree with the portable kernel to rounding and are bit-identical for any split of the rows.
 * Logits are assumed free of NaN.
 *
 * <p>backward: scale · probs, with scale · (prob − 1) at the target: bit-identical to the
 * portable kernel.
 */
public final class CrossEntropyVector {

    /** Row reductions: 8 lanes on every machine, so results do not depend on the vector width. */
    static final VectorSpecies<Float> R = FloatVector.SPECIES_256;
    private static final int L = R.length();

    private CrossEntropyVector() {
    }

    /** losses (rows), probs (rows, V), correct (rows) from logits (rows, V) and targets (rows). */
    public static void forward(float[] losses, float[] probs, float[] correct, float[] logits, int[] targets, int V,
                               int offset, int count) {
        int full = R.loopBound(V);
        VectorMask<Float> tail = R.indexInRange(full, V);
        for (int row = offset; row < offset + count; row++) {
            int x = row * V;
            // 1. maximum and its first index
            int argmax = argmax(logits, x, V, full, tail);
            float max = logits[x + argmax];
            // 2. softmax
            FloatVector acc = FloatVector.zero(R);
            int v = 0;
            for (; v < full; v += L) {
                FloatVector e = VectorMath.exp(FloatVector.fromArray(R, logits, x + v).sub(max));
                e.intoArray(probs, x + v);
                acc = acc.add(e);
            }
            if (v < V) {
                FloatVector e = VectorMath.exp(FloatVector.fromArray(R, logits, x + v, tail).sub(max));
                e.intoArray(probs, x + v, tail);
                acc = acc.add(e, tail);
            }
            float sum = VectorMath.sum(acc);
            float inv = 1f / sum;
            for (v = 0; v < full; v += L) {
                FloatVector.fromArray(R, probs, x + v).mul(inv).intoArray(probs, x + v);
            }
            if (v < V) {
                FloatVector.fromArray(R, probs, x + v, tail).mul(inv).intoArray(probs, x + v, tail);
            }
            // 3. loss and accuracy of the target, none for an ignored row
            int target = targets[row];
            if (target >= 0) {
                losses[row] = (float) Math.log(sum) - (logits[x + target] - max);
                correct[row] = argmax == target ? 1f : 0f;
            } else {
                losses[row] = 0f;
                correct[row] = 0f;
            }
        }
    }

    /** The first v in [0, V) with logits[x + v] equal to the row's maximum (0 if a NaN hides it). */
    private static int argmax(float[] logits, int x, int V, int full, VectorMask<Float> tail) {
        FloatVector vmax = FloatVector.broadcast(R, Float.NEGATIVE_INFINITY);
        int v = 0;
        for (; v < full; v += L) {
            vmax = vmax.max(FloatVector.fromArray(R, logits, x + v));
        }
        if (v < V) {
            vmax = vmax.lanewise(VectorOperators.MAX, FloatVector.fromArray(R, logits, x + v, tail), tail);
        }
        float max = vmax.reduceLanes(VectorOperators.MAX);   // exact whatever the order (±0 compare equal below)
        for (v = 0; v < full; v += L) {
            VectorMask<Float> eq = FloatVector.fromArray(R, logits, x + v).compare(VectorOperators.EQ, max);
            if (eq.anyTrue()) {
                return v + eq.firstTrue();
            }
        }
        VectorMask<Float> eq = FloatVector.fromArray(R, logits, x + v, tail).compare(VectorOperators.EQ, max, tail);
        return eq.anyTrue() ? v + eq.firstTrue() : 0;   // none only when the row holds a NaN
    }

    /** dlogits (rows, V) = scale[0] · (probs − onehot(target)), 0 for ignored rows. */
    public static void backward(float[] dlogits, float[] probs, int[] targets, float[] scale, int V,
                                int offset, int count) {
        float s = scale[0];
        int end = (offset + count) * V;
        int start = offset * V;
        // 1. scale · probs over the whole part (rows are contiguous)
        int i = start;
        for (int full = start + F.loopBound(end - start); i < full; i += F.length()) {
            FloatVector.fromArray(F, probs, i).mul(s).intoArray(dlogits, i);
        }
        if (i < end) {
            VectorMask<Float> m = F.indexInRange(i, end);
            FloatVector.fromArray(F, probs, i, m).mul(s).intoArray(dlogits, i, m);
        }
        // 2. the target's entry, or a zero row
        for (int row = offset; row < offset + count; row++) {
            int target = targets[row];
            if (target >= 0) {
                dlogits[row * V + target] = s * (probs[row * V + target] - 1f);
            } else {
                java.util.Arrays.fill(dlogits, row * V, row * V + V, 0f);
            }
        }
    }
}
