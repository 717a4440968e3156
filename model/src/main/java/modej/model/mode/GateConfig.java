package modej.model.mode;

/**
 * How a block's gate turns logits into mixing weights.
 *
 * @param topK          0 = dense softmax over all sources; k = keep the k largest weights, renormalised
 * @param temperature   softmax temperature (> 0); lower is sharper
 * @param sequenceLevel the gate reads, at token t, the mean of the block input over tokens 0..t of its
 *                      sequence (a causal prefix mean) instead of token t's input alone; still one
 *                      decision per token
 * @param balanceCoef   coefficient of the Switch-Transformer load-balancing loss; 0 = off
 * @param normalize     the gate reads its input layer-normalised (zero mean, unit variance per token, no
 *                      affine parameters: the gate's own weights absorb them), so its logits do not
 *                      scale with the residual stream's size; false = the raw input, as before
 */
public record GateConfig(int topK, float temperature, boolean sequenceLevel, float balanceCoef, boolean normalize) {

    public static final GateConfig DEFAULT = new GateConfig(0, 1f, false, 0f);

    /** A gate that reads its input as it is (not normalised). */
    public GateConfig(int topK, float temperature, boolean sequenceLevel, float balanceCoef) {
        this(topK, temperature, sequenceLevel, balanceCoef, false);
    }

    public GateConfig {
        if (topK < 0) {
            throw new IllegalArgumentException("gate.topK: must be >= 0, got " + topK);
        }
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("gate.temperature: must be > 0, got " + temperature);
        }
        if (!(balanceCoef >= 0)) {
            throw new IllegalArgumentException("gate.balanceCoef: must be >= 0, got " + balanceCoef);
        }
    }
}
