package modej.engine.tornado;

import modej.engine.kernel.CrossEntropy;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;

/**
 * The device equivalents of {@link CrossEntropy}'s kernels: the same parameters (after TornadoVM's
 * {@link KernelContext}), the same results up to the order of the row sum. The portable kernels
 * give each row one thread that walks its V logits serially, three times (with a GPT-2 vocabulary,
 * 50,257 of them, and neighbouring threads V floats apart); here a work-group of {@value #LANES}
 * lanes shares a row, lane l taking v = l, l + {@value #LANES}, … (neighbouring lanes read
 * neighbouring floats), and the row's maximum (with its first index) and sum are reduced in local
 * memory. The exponential and logarithm are the device's float ones ({@code TornadoMath}). Grid:
 * one work-group per row ({@link DeviceKernels}); checked against the portable kernels on the
 * device ({@code DeviceCrossEntropyTest}).
 */
final class DeviceCrossEntropy {

    /** Lanes per row. */
    static final int LANES = 128;

    private DeviceCrossEntropy() {
    }

    /**
     * {@link CrossEntropy#forward}: probs (rows, V) = softmax(logits); losses (rows) = log Σ exp(logits − max)
     * − (logits[target] − max); correct (rows) = 1 if the first arg-max is the target; 0 and 0 for an
     * ignored row (target below 0). Work-group = row, work-item = lane.
     */
    public static void forward(KernelContext kc, float[] losses, float[] probs, float[] correct, float[] logits,
                               int[] targets, int V, int offset, int count) {
        int lane = kc.localIdx;
        int row = offset + kc.groupIdx;
        int x = row * V;
        float[] best = kc.allocateFloatLocalArray(LANES);
        int[] at = kc.allocateIntLocalArray(LANES);
        // 1. this lane's maximum and its first index, then the row's (ties: the smaller index)
        float max = -Float.MAX_VALUE;
        int argmax = V;
        for (int v = lane; v < V; v += LANES) {
            if (logits[x + v] > max) {
                max = logits[x + v];
                argmax = v;
            }
        }
        best[lane] = max;
        at[lane] = argmax;
        for (int half = LANES / 2; half > 0; half /= 2) {
            kc.localBarrier();
            if (lane < half) {
                float other = best[lane + half];
                if (other > best[lane] || other == best[lane] && at[lane + half] < at[lane]) {
                    best[lane] = other;
                    at[lane] = at[lane + half];
                }
            }
        }
        kc.localBarrier();
        max = best[0];
        argmax = at[0];
        kc.localBarrier(); // every lane has read them before best is written again
        // 2. exponentials and their sum, then probabilities
        float sum = 0f;
        for (int v = lane; v < V; v += LANES) {
            float e = TornadoMath.exp(logits[x + v] - max);
            probs[x + v] = e;
            sum += e;
        }
        sum = LocalSums.sum(kc, best, lane, LANES, sum);
        float inv = 1f / sum;
        for (int v = lane; v < V; v += LANES) {
            probs[x + v] = probs[x + v] * inv;
        }
        // 3. loss and accuracy of the target
        if (lane == 0) {
            int target = targets[row];
            if (target >= 0) {
                losses[row] = TornadoMath.log(sum) - (logits[x + target] - max);
                correct[row] = argmax == target ? 1f : 0f;
            } else {
                losses[row] = 0f;
                correct[row] = 0f;
            }
        }
    }

    /**
     * {@link CrossEntropy#backward}: dlogits (rows, V) = scale[0] · (probs − onehot(target)), 0 for an
     * ignored row; every element written. Work-group = row, work-item = lane.
     */
    public static void backward(KernelContext kc, float[] dlogits, float[] probs, int[] targets, float[] scale, int V,
                                int offset, int count) {
        int lane = kc.localIdx;
        int row = offset + kc.groupIdx;
        int x = row * V;
        int target = targets[row];
        float s = scale[0];
        for (int v = lane; v < V; v += LANES) {
            float indicator = v == target ? 1f : 0f;
            dlogits[x + v] = target >= 0 ? s * (probs[x + v] - indicator) : 0f;
        }
    }
}
