package modej.engine.tornado;

import modej.engine.kernel.GradNorm;
import uk.ac.manchester.tornado.api.KernelContext;

/**
 * The device equivalent of {@link GradNorm#sumsOfSquares}: the same parameters (after TornadoVM's
 * {@link KernelContext}), the same sums up to their order. The portable kernel gives each chunk of
 * {@value GradNorm#CHUNK} gradients one thread that walks it serially, neighbouring threads
 * {@value GradNorm#CHUNK} floats apart; here a work-group of {@value #LANES} lanes shares a chunk,
 * lane l taking elements l, l + {@value #LANES}, … (neighbouring lanes read neighbouring floats),
 * and the lanes' sums are added in local memory ({@link LocalSums}). Grid: one work-group per
 * chunk ({@link DeviceKernels}); checked against the portable kernel on the device
 * ({@code DeviceGradNormTest}).
 */
final class DeviceGradNorm {

    /** Lanes per chunk. */
    static final int LANES = 128;

    private DeviceGradNorm() {
    }

    /** {@link GradNorm#sumsOfSquares}: partials[pOff + c] = Σ grads[j]² over chunk c. Work-group = chunk. */
    public static void sumsOfSquares(KernelContext kc, float[] partials, int pOff, float[] grads, int n, int offset,
                                     int count) {
        int lane = kc.localIdx;
        int c = offset + kc.groupIdx;
        int from = c * GradNorm.CHUNK;
        int to = Math.min(n, from + GradNorm.CHUNK);
        float[] red = kc.allocateFloatLocalArray(LANES);
        float s = 0f;
        for (int j = from + lane; j < to; j += LANES) {
            float g = grads[j];
            s += g * g;
        }
        float total = LocalSums.sum(kc, red, lane, LANES, s);
        if (lane == 0) {
            partials[pOff + c] = total;
        }
    }
}
