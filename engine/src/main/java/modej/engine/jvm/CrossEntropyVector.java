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
 * {@link VectorMath#exp} (about 1 ulp, arguments below −87 give e^−87 instead of underflowing)
 * and their sum is taken in a fixed order that depends on V only (16 partial sums over the full
 * 8-lane vectors, then the masked tail), so probs and losses agree with the portable kernel to
 * rounding and are bit-identical for any split of the rows. Logits are assumed free of NaN.
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
            float sum = exponentials(probs, logits, x, full, max);
            if (full < V) {
                sum += tailExponentials(probs, logits, x + full, tail, max);
            }
            float inv = 1f / sum;
            int v = 0;
            for (; v < full; v += L) {
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

    /**
     * probs[x + v] = e^(logits[x + v] − max) for v in [0, n), n a multiple of 8; returns their
     * sum: v goes to lane v mod 8 of accumulator (v / 8) mod 2 (swapped after every vector: two
     * chains of adds), then the two are added lane by lane and the lanes in order. One call site
     * of exp per method keeps it small enough for C2 to inline everything.
     */
    private static float exponentials(float[] probs, float[] logits, int x, int n, float max) {
        FloatVector acc0 = FloatVector.zero(R), acc1 = acc0;
        for (int v = 0; v < n; v += L) {
            FloatVector e = VectorMath.exp(FloatVector.fromArray(R, logits, x + v).sub(max));
            e.intoArray(probs, x + v);
            FloatVector t = acc0.add(e);
            acc0 = acc1;
            acc1 = t;
        }
        // VectorMath.sum written out: inlined into forward, exp leaves C2 no node budget for the
        // call, and a vector passed to a call that is not inlined is boxed.
        FloatVector a = acc0.add(acc1);
        float sum = a.lane(0);
        for (int l = 1; l < L; l++) {
            sum += a.lane(l);
        }
        return sum;
    }

    /** The same for the lanes of k of one vector at x; returns the sum of those lanes in lane order. */
    private static float tailExponentials(float[] probs, float[] logits, int x, VectorMask<Float> k, float max) {
        FloatVector e = VectorMath.exp(FloatVector.fromArray(R, logits, x, k).sub(max));
        e.intoArray(probs, x, k);
        return VectorMath.sum(FloatVector.zero(R).blend(e, k));
    }

    /** The first v in [0, V) with logits[x + v] equal to the row's maximum (0 if a NaN hides it). */
    private static int argmax(float[] logits, int x, int V, int full, VectorMask<Float> tail) {
        FloatVector vmax = FloatVector.broadcast(R, Float.NEGATIVE_INFINITY), vmax1 = vmax;
        int v = 0;
        for (; v < full; v += L) {   // two chains of max: the maximum does not depend on the order
            FloatVector t = vmax.max(FloatVector.fromArray(R, logits, x + v));
            vmax = vmax1;
            vmax1 = t;
        }
        vmax = vmax.max(vmax1);
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
