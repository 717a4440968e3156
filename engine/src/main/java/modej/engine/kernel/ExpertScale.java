package modej.engine.kernel;

/**
 * MoE-LoRA's routing of its experts' hidden activations: each row holds E blocks of r columns, one
 * per expert (the product of the row with every expert's A at once), and block e is scaled by the
 * row's gate weight for expert e and by LoRA's constant scale (alpha / r).
 *
 * <p>Shapes: raw, h, dh, draw (rows, E·r); weights, dweights (rows, E).
 */
public final class ExpertScale {

    private ExpertScale() {
    }

    /** h[row][e·r + k] = scale · weights[row][e] · raw[row][e·r + k]. Writes every element of h. Parallel over rows. */
    public static void forward(float[] h, float[] raw, float[] weights, float scale, int E, int r, int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int row = offset + i;
            for (int e = 0; e < E; e++) {
                float w = scale * weights[row * E + e];
                int x = (row * E + e) * r;
                for (int k = 0; k < r; k++) {
                    h[x + k] = w * raw[x + k];
                }
            }
        }
    }

    /**
     * draw[row][e·r + k] = scale · weights[row][e] · dh[row][e·r + k] and
     * dweights[row][e] = scale · Σ_k dh[row][e·r + k] · raw[row][e·r + k]: both written, not
     * accumulated (the caller sums dweights over the projections a router weights). Parallel over
     * rows, each summing its own r columns per expert.
     */
    public static void backward(float[] draw, float[] dweights, float[] dh, float[] raw, float[] weights, float scale,
                                int E, int r, int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int row = offset + i;
            for (int e = 0; e < E; e++) {
                float w = scale * weights[row * E + e];
                int x = (row * E + e) * r;
                float sum = 0f;
                for (int k = 0; k < r; k++) {
                    draw[x + k] = w * dh[x + k];
                    sum += dh[x + k] * raw[x + k];
                }
                dweights[row * E + e] = scale * sum;
            }
        }
    }
}
