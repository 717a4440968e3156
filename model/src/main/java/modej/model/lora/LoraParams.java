package modej.model.lora;

import modej.model.gpt.GptConfig;
import modej.model.gpt.GptParams;
import java.util.Set;
import java.util.SplittableRandom;

import modej.model.param.Layout;
import modej.model.param.Slab;
import modej.model.param.Slice;

/**
 * LoRA adapters for every layer of a backbone, in one slab named {@code lora} (slices
 * {@code l<l>.<target>.A} (r, in) and {@code l<l>.<target>.B} (out, r)). A starts uniform in
 * ±1/√in (as PEFT's Kaiming init), B at zero, so the adapted model starts equal to the backbone.
 */
public final class LoraParams {

    private final GptConfig config;
    private final int rank;
    private final float alpha;
    private final Set<String> targets;
    private final Slab slab;

    public LoraParams(GptConfig config, int rank, float alpha, Set<String> targets, long seed) {
        this.config = config;
        this.rank = rank;
        this.alpha = alpha;
        this.targets = Set.copyOf(targets);
        Layout l = new Layout();
        for (int i = 0; i < config.layers(); i++) {
            LoraSlot.layout(l, "l" + i + ".", config.width(), rank, this.targets);
        }
        this.slab = new Slab("lora", l);
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] p = slab.params().data();
        for (Slice s : l.slices()) {
            if (s.name().endsWith(".A")) {
                double bound = 1 / Math.sqrt(s.shape()[1]);
                for (int i = 0; i < s.size(); i++) {
                    p[s.offset() + i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
                }
            }
        }
    }

    /** Trainable parameters of adapters with this rank on this backbone: Σ r·(in + out) per target and layer. */
    public static long parameterCount(GptConfig config, int rank, Set<String> targets) {
        long perLayer = 0;
        for (String t : targets) {
            perLayer += (long) rank * config.width() * (LoraSlot.inWidth(t) + LoraSlot.outWidth(t));
        }
        return perLayer * config.layers();
    }

    public LoraSlot slot(int layer) {
        return new LoraSlot(slab, "l" + layer + ".", rank, alpha / rank, targets);
    }

    public Slab slab() {
        return slab;
    }

    public int rank() {
        return rank;
    }

    public float alpha() {
        return alpha;
    }

    public Set<String> targets() {
        return targets;
    }

    /**
     * A copy of {@code backbone} with every adapter folded in, {@code W += (alpha/r)·B·A}, for
     * inference without the adapter path. The backbone itself is not changed.
     */
    public GptParams mergedInto(GptParams backbone) {
        GptParams merged = new GptParams(backbone.config());
        for (int i = 0; i < merged.slabs().size(); i++) {
            float[] from = backbone.slabs().get(i).params().data();
            System.arraycopy(from, 0, merged.slabs().get(i).params().data(), 0, from.length);
        }
        float[] p = slab.params().data();
        for (int l = 0; l < config.layers(); l++) {
            LoraSlot s = slot(l);
            float[] w = merged.layer(l).params().data();
            for (String t : targets) {
                int in = config.width() * LoraSlot.inWidth(t), out = config.width() * LoraSlot.outWidth(t);
                int wOff = merged.layer(l).offset(t + ".weight"), a = s.offsetA(t), b = s.offsetB(t);
                for (int o = 0; o < out; o++) {
                    for (int c = 0; c < in; c++) {
                        double sum = 0;
                        for (int k = 0; k < rank; k++) {
                            sum += (double) p[b + o * rank + k] * p[a + k * in + c];
                        }
                        w[wOff + o * in + c] += (float) (s.scale() * sum);
                    }
                }
            }
        }
        return merged;
    }
}
