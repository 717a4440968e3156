package modej.engine.kernel;

/**
 * Fused softmax, cross-entropy and next-token accuracy over logits.
 *
 * <p>Shapes: logits (rows, V), probs (rows, V), targets (rows), losses (rows), correct (rows),
 * dlogits (rows, V); scale (1). A target below 0 marks a row to ignore: loss 0, correct 0 and an
 * all-zero gradient row.
 */
public final class CrossEntropy {

    private CrossEntropy() {
    }

    /**
     * probs (rows, V) = softmax(logits) with the row maximum subtracted; losses (rows) = −log
     * probs[target] (computed as log Σ exp(logits − max) − (logits[target] − max), so it stays finite
     * when the probability underflows); correct (rows) = 1 if the first arg-max equals the target,
     * else 0. Parallel over rows.
     */
    public static void forward(float[] losses, float[] probs, float[] correct, float[] logits, int[] targets, int V,
                               int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int row = offset + i;
            int x = row * V;
            // 1. maximum and its first index
            float max = logits[x];
            int argmax = 0;
            for (int v = 1; v < V; v++) {
                if (logits[x + v] > max) {
                    max = logits[x + v];
                    argmax = v;
                }
            }
            // 2. softmax
            float sum = 0f;
            for (int v = 0; v < V; v++) {
                float e = FloatMath.exp(logits[x + v] - max);
                probs[x + v] = e;
                sum += e;
            }
            float inv = 1f / sum;
            for (int v = 0; v < V; v++) {
                probs[x + v] = probs[x + v] * inv;
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
     * dlogits (rows, V) = scale[0] · (probs − onehot(target)), 0 for ignored rows; every element is
     * written (not accumulated). Parallel over rows.
     */
    public static void backward(float[] dlogits, float[] probs, int[] targets, float[] scale, int V,
                                int offset, int count) {
        float s = scale[0];
        for (@Parallel int i = 0; i < count; i++) {
            int row = offset + i;
            int x = row * V;
            int target = targets[row];
            if (target >= 0) {
                for (int v = 0; v < V; v++) {
                    float indicator = v == target ? 1f : 0f;
                    dlogits[x + v] = s * (probs[x + v] - indicator);
                }
            } else {
                for (int v = 0; v < V; v++) {
                    dlogits[x + v] = 0f;
                }
            }
        }
    }
}
