package modej.model.moelora;

import java.util.SplittableRandom;

import modej.model.gpt.GptConfig;
import modej.model.lora.LoraSlot;
import modej.model.param.Layout;
import modej.model.param.Slab;
import modej.model.param.Slice;

/**
 * MoE-LoRA's trainable weights for every layer of a backbone, in one slab named {@code moe_lora}:
 * per layer l the router {@code l<l>.router.weight} (E, C) and, per target, every expert's A and B
 * stacked: {@code l<l>.<target>.A} (E·r, in), rows e·r … e·r+r−1 expert e's A (r, in), and
 * {@code l<l>.<target>.B} (out, E·r), columns e·r … e·r+r−1 expert e's B (out, r). Stacked, the E
 * experts of a projection are two matmuls, not 2·E small ones. A and the router
 * start uniform in ±1/√in (as PyTorch's Linear and PEFT's LoRA), B at zero, so the model starts
 * equal to the backbone whatever the router does. The router must not start at zero: with top k
 * below E, ties would pick the same experts for every token, and the others would never train.
 */
public final class MoeLoraParams {

    private final GptConfig backbone;
    private final MoeLoraConfig config;
    private final Slab slab;

    public MoeLoraParams(GptConfig backbone, MoeLoraConfig config, long seed) {
        this.backbone = backbone;
        this.config = config;
        Layout l = new Layout();
        int C = backbone.width();
        for (int i = 0; i < backbone.layers(); i++) {
            l.add("l" + i + ".router.weight", false, config.experts(), C);                 // (E, C)
            int er = config.experts() * config.rank();
            for (String t : config.targets().stream().sorted().toList()) {
                l.add("l" + i + "." + t + ".A", false, er, C * LoraSlot.inWidth(t));               // (E·r, in)
                l.add("l" + i + "." + t + ".B", false, C * LoraSlot.outWidth(t), er);              // (out, E·r)
            }
        }
        this.slab = new Slab("moe_lora", l);
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] p = slab.params().data();
        for (Slice s : l.slices()) {
            if (s.name().endsWith(".A") || s.name().endsWith(".router.weight")) {
                double bound = 1 / Math.sqrt(s.shape()[1]);
                for (int i = 0; i < s.size(); i++) {
                    p[s.offset() + i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
                }
            }
        }
    }

    /** Trainable parameters on this backbone: per layer E·C for the router, plus E·r·(in + out) per target. */
    public static long parameterCount(GptConfig backbone, MoeLoraConfig config) {
        long perLayer = (long) config.experts() * backbone.width();
        for (String t : config.targets()) {
            perLayer += (long) config.experts() * config.rank() * backbone.width() * (LoraSlot.inWidth(t) + LoraSlot.outWidth(t));
        }
        return perLayer * backbone.layers();
    }

    /** Offset of the router (E, C) of layer {@code layer}. */
    public int routerOffset(int layer) {
        return slab.offset("l" + layer + ".router.weight");
    }

    /** Offset of the stacked A (E·r, in) of target t of layer {@code layer}; expert e's A (r, in) starts e·r·in later. */
    public int offsetA(int layer, String target) {
        return slab.offset("l" + layer + "." + target + ".A");
    }

    /** Offset of the stacked B (out, E·r) of target t of layer {@code layer}; expert e's B is its columns e·r … e·r+r−1. */
    public int offsetB(int layer, String target) {
        return slab.offset("l" + layer + "." + target + ".B");
    }

    public GptConfig backbone() {
        return backbone;
    }

    public MoeLoraConfig config() {
        return config;
    }

    public Slab slab() {
        return slab;
    }
}
