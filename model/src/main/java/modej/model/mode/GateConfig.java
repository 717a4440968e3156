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
 */
public record GateConfig(int topK, float temperature, boolean sequenceLevel, float balanceCoef) {

    public static final GateConfig DEFAULT = new GateConfig(0, 1f, false, 0f);

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
