package modej.engine.kernel;

/**
 * AdamW with decoupled weight decay (PyTorch semantics), and zeroing of gradients.
 *
 * <p>Shapes: params, grads, m, v (n) share one layout; a call works on elements
 * {@code base + offset + i}. learningRate (1) and step (1) travel in arrays because they change
 * between runs; step counts from 1.
 */
public final class AdamW {

    private AdamW() {
    }

    /**
     * m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; p −= lr·(m̂/(sqrt(v̂)+eps) + wd·p) with
     * m̂ = m/(1−β1^step), v̂ = v/(1−β2^step). Parallel over elements.
     */
    public static void update(float[] params, float[] grads, float[] m, float[] v, float[] learningRate, int[] step,
                              float beta1, float beta2, float eps, float weightDecay, int base,
                              int offset, int count) {
        float lr = learningRate[0];
        float correction1 = 1f - (float) Math.pow(beta1, step[0]);
        float correction2 = 1f - (float) Math.pow(beta2, step[0]);
        for (@Parallel int i = 0; i < count; i++) {
            int j = base + offset + i;
            float g = grads[j];
            float mj = beta1 * m[j] + (1f - beta1) * g;
            float vj = beta2 * v[j] + (1f - beta2) * g * g;
            m[j] = mj;
            v[j] = vj;
            float mhat = mj / correction1;
            float vhat = vj / correction2;
            float p = params[j];
            params[j] = p - lr * (mhat / ((float) Math.sqrt(vhat) + eps) + weightDecay * p);
        }
    }

    /** grads (n) = 0 at {@code base + offset + i}. Parallel over elements. */
    public static void zeroGrad(float[] grads, int base, int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            grads[base + offset + i] = 0f;
        }
    }
}
