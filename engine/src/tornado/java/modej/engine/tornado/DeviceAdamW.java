package modej.engine.tornado;

import modej.engine.kernel.AdamW;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;

/**
 * The device equivalent of {@link AdamW#update}: the same parameters (after TornadoVM's
 * {@link KernelContext}), the same update in float throughout. The portable kernel takes the bias
 * corrections' powers and every element's square root in double precision (the JVM's
 * {@code Math.pow} and {@code Math.sqrt}), which a GPU without fast double arithmetic runs at a
 * fraction of its float rate; here the powers are float products by repeated squaring (a
 * few multiplies instead of a library {@code pow} per work-item) and the root is the device's
 * float {@code sqrt} ({@code TornadoMath}). One work-item per element, in work-groups of {@value #GROUP}
 * ({@link DeviceKernels}); checked against the portable kernel on the device ({@code DeviceAdamWTest}).
 */
final class DeviceAdamW {

    /** Work-items per work-group. */
    static final int GROUP = 256;

    private DeviceAdamW() {
    }

    /** base^e for e ≥ 0 by repeated squaring in float: a few multiplies, the same for every work-item. */
    private static float power(float base, int e) {
        float result = 1f;
        float square = base;
        for (int rest = e; rest > 0; rest >>= 1) {
            if ((rest & 1) == 1) {
                result *= square;
            }
            square *= square;
        }
        return result;
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
            float correction1 = 1f - power(beta1, step[0]);
            float correction2 = 1f - power(beta2, step[0]);
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
