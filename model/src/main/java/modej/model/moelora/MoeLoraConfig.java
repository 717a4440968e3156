package modej.model.moelora;

import java.util.Set;

import modej.model.lora.LoraSlot;

/**
 * The shape of a MoE-LoRA model (as in MixLoRA / LoRAMoE): per adapted projection, E LoRA experts;
 * per layer, a router that picks the top k of them for every token.
 *
 * @param experts E, LoRA experts per adapted projection (default 4)
 * @param rank    r of every expert (default 8)
 * @param alpha   scale = alpha / rank (default 16)
 * @param targets the projections adapted, a subset of {@link LoraSlot#TARGETS} (default: all four)
 * @param topK    experts a token keeps, weights renormalised over them; 0 = all (dense) (default 2)
 * @param balance coefficient of the Switch-Transformer load-balancing loss; 0 = off (default 0.01)
 */
public record MoeLoraConfig(int experts, int rank, float alpha, Set<String> targets, int topK, float balance) {

    public static final MoeLoraConfig DEFAULT = new MoeLoraConfig(4, 8, 16f, LoraSlot.TARGETS, 2, 0.01f);

    public MoeLoraConfig {
        if (experts < 1) {
            throw new IllegalArgumentException("moe-lora experts must be >= 1, got " + experts);
        }
        if (rank < 1) {
            throw new IllegalArgumentException("moe-lora rank must be >= 1, got " + rank);
        }
        if (!(alpha > 0) || Float.isInfinite(alpha)) {
            throw new IllegalArgumentException("moe-lora alpha must be > 0, got " + alpha);
        }
        if (targets.isEmpty() || !LoraSlot.TARGETS.containsAll(targets)) {
            throw new IllegalArgumentException("moe-lora targets: expected some of " + LoraSlot.TARGETS.stream().sorted().toList()
                    + ", got " + targets);
        }
        if (topK < 0 || topK > experts) {
            throw new IllegalArgumentException("moe-lora top-k must be between 0 (dense) and experts (" + experts + "), got " + topK);
        }
        if (!(balance >= 0) || Float.isInfinite(balance)) {
            throw new IllegalArgumentException("moe-lora balance must be >= 0, got " + balance);
        }
        targets = Set.copyOf(targets);
    }

    public float scale() {
        return alpha / rank;
    }

    /** The top k the router keeps, as {@code Gate.forward} takes it: 0 (or E) keeps all. */
    public boolean dense() {
        return topK == 0 || topK == experts;
    }

    /** One line for metadata and logs, e.g. {@code experts=4 rank=8 alpha=16.0 targets=[fc, qkv] topK=2 balance=0.01}. */
    public String describe() {
        return "experts=" + experts + " rank=" + rank + " alpha=" + alpha + " targets=" + targets.stream().sorted().toList()
                + " topK=" + topK + " balance=" + balance;
    }
}
