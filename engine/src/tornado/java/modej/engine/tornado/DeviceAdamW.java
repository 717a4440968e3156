package modej.engine.tornado;

import modej.engine.kernel.AdamW;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;

/**
 * The device equivalent of {@link AdamW#update}: the same parameters (after TornadoVM's
 * {@link KernelContext}), the same update in float throughout. The portable kernel takes the bias
 * corrections' powers and every element's square root in double precision (the JVM's
 * {@code Math.pow} and {@code Math.sqrt}), which a GPU without fast double arithmetic runs at a
 * fraction of its float rate; here they are the device's float {@code pow} and {@code sqrt}
 * ({@code TornadoMath}). One work-item per element, in work-groups of {@value #GROUP}
 * ({@link DeviceKernels}); checked against the portable kernel on the device ({@code DeviceAdamWTest}).
 */
final class DeviceAdamW {

    /** Work-items per work-group. */
    static final int GROUP = 256;

    private DeviceAdamW() {
    }

    /**
     * {@link AdamW#update}: m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; p −= lr·(m̂/(sqrt(v̂)+eps) + wd·p)
     * at elements base + offset + i, i < count.
     */
    public static void update(KernelContext kc, float[] params, float[] grads, float[] m, float[] v,
                              float[] learningRate, int[] step, float beta1, float beta2, float eps, float weightDecay,
                              int base, int offset, int count) {
        int i = kc.globalIdx;
        if (i < count) {
            float lr = learningRate[0];
            float t = step[0];
            float correction1 = 1f - TornadoMath.pow(beta1, t);
            float correction2 = 1f - TornadoMath.pow(beta2, t);
            int j = base + offset + i;
            float g = grads[j];
            float mj = beta1 * m[j] + (1f - beta1) * g;
            float vj = beta2 * v[j] + (1f - beta2) * g * g;
            m[j] = mj;
            v[j] = vj;
            float mhat = mj / correction1;
            float vhat = vj / correction2;
            float p = params[j];
            params[j] = p - lr * (mhat / (TornadoMath.sqrt(vhat) + eps) + weightDecay * p);
        }
    }
}
