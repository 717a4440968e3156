package modej.engine.jvm;

import static modej.engine.jvm.VectorMath.F;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Vector API fast path of {@link modej.engine.kernel.AdamW}. Every lane performs the portable
 * kernel's operations in its order (multiplies and adds unfused; division and square root are
 * correctly rounded, and a float square root taken in double and rounded back is the same), so
 * results are bit-identical to the portable kernel.
 */
public final class AdamWVector {

    private AdamWVector() {
    }

    /** One AdamW step on elements {@code base + offset + i}; see the portable kernel. */
    public static void update(float[] params, float[] grads, float[] m, float[] v, float[] learningRate, int[] step,
                              float beta1, float beta2, float eps, float weightDecay, int base,
                              int offset, int count) {
        float lr = learningRate[0];
        float correction1 = 1f - (float) Math.pow(beta1, step[0]);
        float correction2 = 1f - (float) Math.pow(beta2, step[0]);
        float oneMinusBeta1 = 1f - beta1;
        float oneMinusBeta2 = 1f - beta2;
        int start = base + offset;
        int end = start + count;
        int j = start;
        for (int full = start + F.loopBound(count); j < full; j += F.length()) {
            FloatVector g = FloatVector.fromArray(F, grads, j);
            FloatVector mj = FloatVector.fromArray(F, m, j).mul(beta1).add(g.mul(oneMinusBeta1));
            FloatVector vj = FloatVector.fromArray(F, v, j).mul(beta2).add(g.mul(oneMinusBeta2).mul(g));
            mj.intoArray(m, j);
            vj.intoArray(v, j);
            FloatVector p = FloatVector.fromArray(F, params, j);
            step(p, mj, vj, correction1, correction2, lr, eps, weightDecay).intoArray(params, j);
        }
        if (j < end) {
            VectorMask<Float> k = F.indexInRange(j, end);
            FloatVector g = FloatVector.fromArray(F, grads, j, k);
            FloatVector mj = FloatVector.fromArray(F, m, j, k).mul(beta1).add(g.mul(oneMinusBeta1));
            FloatVector vj = FloatVector.fromArray(F, v, j, k).mul(beta2).add(g.mul(oneMinusBeta2).mul(g));
            mj.intoArray(m, j, k);
            vj.intoArray(v, j, k);
            FloatVector p = FloatVector.fromArray(F, params, j, k);
            step(p, mj, vj, correction1, correction2, lr, eps, weightDecay).intoArray(params, j, k);
        }
    }

    /** p − lr·(m̂/(sqrt(v̂) + eps) + wd·p), m̂ = m/correction1, v̂ = v/correction2. */
    private static FloatVector step(FloatVector p, FloatVector mj, FloatVector vj, float correction1,
                                    float correction2, float lr, float eps, float weightDecay) {
        FloatVector mhat = mj.div(correction1);
        FloatVector vhat = vj.div(correction2);
        FloatVector update = mhat.div(vhat.sqrt().add(eps)).add(p.mul(weightDecay));
        return p.sub(update.mul(lr));
    }

    /** grads (n) = 0 at {@code base + offset + i}. */
    public static void zeroGrad(float[] grads, int base, int offset, int count) {
        java.util.Arrays.fill(grads, base + offset, base + offset + count, 0f);
    }
}
