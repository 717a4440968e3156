package modej.model.lora;

import java.util.Set;

import modej.model.param.Layout;
import modej.model.param.Slab;

/**
 * One layer's LoRA adapters: for each target projection W (OC, C), matrices A (r, C) and
 * B (OC, r) in {@code slab} under {@code prefix}, so that the projection becomes
 * {@code W·x + scale·B·A·x} with {@code scale = alpha / r}. B starts at zero, so an untrained
 * adapter changes nothing.
 *
 * @param targets a subset of {@link #TARGETS}
 */
public record LoraSlot(Slab slab, String prefix, int rank, float scale, Set<String> targets) {

    /** The projections LoRA can adapt: attention in/out and the MLP's two matrices. */
    public static final Set<String> TARGETS = Set.of("qkv", "attn_proj", "fc", "fc_proj");

    public LoraSlot {
        if (rank < 1) {
            throw new IllegalArgumentException("lora rank must be >= 1, got " + rank);
        }
        for (String t : targets) {
            if (!TARGETS.contains(t)) {
                throw new IllegalArgumentException("unknown LoRA target '" + t + "'; valid: " + TARGETS);
            }
        }
        targets = Set.copyOf(targets);
    }

    /** Adds A and B slices for every target of one layer of width C. */
    public static void layout(Layout l, String prefix, int C, int rank, Set<String> targets) {
        for (String t : targets.stream().sorted().toList()) {
            l.add(prefix + t + ".A", false, rank, C * inWidth(t));
            l.add(prefix + t + ".B", false, C * outWidth(t), rank);
        }
    }

    /** Input width of a target in units of C (fc_proj reads 4C). */
    public static int inWidth(String target) {
        return target.equals("fc_proj") ? 4 : 1;
    }

    /** Output width of a target in units of C (qkv writes 3C, fc writes 4C). */
    public static int outWidth(String target) {
        return switch (target) {
            case "qkv" -> 3;
            case "fc" -> 4;
            default -> 1;
        };
    }

    public boolean adapts(String target) {
        return targets.contains(target);
    }

    public int offsetA(String target) {
        return slab.offset(prefix + target + ".A");
    }

    public int offsetB(String target) {
        return slab.offset(prefix + target + ".B");
    }
}
