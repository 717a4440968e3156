package modej.model.mode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import modej.model.gpt.GptParams;
import modej.model.gpt.LayerSlot;
import modej.model.gpt.TransformerLayer;
import modej.model.param.Layout;
import modej.model.param.Slab;
import modej.model.param.Slice;

/**
 * A frozen backbone, one slab per expert (all its blocks' layers, slices {@code b<b>.l<j>.<name>})
 * and one gate slab (per block: {@code b<b>.weight} (sources, C) and {@code b<b>.bias} (sources)).
 * An expert slab can be saved, loaded, swapped or dropped without touching the others.
 */
public final class ModeParams {

    private final GptParams backbone;
    private final ModeConfig config;
    private final Map<String, Slab> experts = new LinkedHashMap<>();
    private final Slab gate;

    /** New experts and gate; experts initialised per {@code config.init()}, the gate near uniform. */
    public ModeParams(GptParams backbone, ModeConfig config, long seed) {
        this.backbone = backbone;
        this.config = config;
        config.validateFor(backbone.config().layers());
        SplittableRandom rnd = new SplittableRandom(seed);
        for (String name : config.experts()) {
            Slab s = new Slab("expert." + name, expertLayout(backbone.config().width(), config));
            initExpert(s, rnd.split());
            experts.put(name, s);
        }
        this.gate = new Slab("gate", gateLayout(backbone.config().width(), config));
        initGate(rnd.split());
    }

    /** Composes experts trained elsewhere (stage 2): their slabs are used as they are, with a fresh gate. */
    public ModeParams(GptParams backbone, ModeConfig config, Map<String, Slab> trainedExperts, long seed) {
        this.backbone = backbone;
        this.config = config;
        config.validateFor(backbone.config().layers());
        Layout expected = expertLayout(backbone.config().width(), config);
        for (String name : config.experts()) {
            Slab s = trainedExperts.get(name);
            if (s == null) {
                throw new IllegalArgumentException("no trained expert '" + name + "'; have " + trainedExperts.keySet());
            }
            if (s.size() != expected.size()) {
                throw new IllegalArgumentException("expert '" + name + "' has " + s.size() + " parameters, but blocks="
                        + config.blocks() + " and layersPerExpertBlock=" + config.layersPerExpertBlock() + " need " + expected.size());
            }
            experts.put(name, s);
        }
        this.gate = new Slab("gate", gateLayout(backbone.config().width(), config));
        initGate(new SplittableRandom(seed));
    }

    public static Layout expertLayout(int C, ModeConfig config) {
        Layout l = new Layout();
        for (int b = 0; b < config.blocks(); b++) {
            for (int j = 0; j < config.layersPerExpertBlock(); j++) {
                TransformerLayer.layout(l, expertPrefix(b, j), C);
            }
        }
        return l;
    }

    public static Layout gateLayout(int C, ModeConfig config) {
        Layout l = new Layout();
        for (int b = 0; b < config.blocks(); b++) {
            l.add("b" + b + ".weight", true, config.sources(), C);   // (sources, C)
            l.add("b" + b + ".bias", false, config.sources());       // (sources)
        }
        return l;
    }

    static String expertPrefix(int block, int layer) {
        return "b" + block + ".l" + layer + ".";
    }

    private void initExpert(Slab s, SplittableRandom rnd) {
        int per = layersPerBlock();
        int[] copy = config.copyIndices(per);
        for (int b = 0; b < config.blocks(); b++) {
            for (int j = 0; j < config.layersPerExpertBlock(); j++) {
                LayerSlot slot = new LayerSlot(s, expertPrefix(b, j));
                if (copy.length == 0) {
                    TransformerLayer.init(slot, rnd, backbone.config().layers());
                } else {
                    TransformerLayer.copy(LayerSlot.of(backbone.layer(b * per + copy[j])), slot);
                }
            }
        }
    }

    private void initGate(SplittableRandom rnd) {
        float[] p = gate.params().data();
        for (Slice s : gate.layout().slices()) {
            for (int i = 0; i < s.size(); i++) {
                p[s.offset() + i] = s.name().endsWith(".weight") ? (float) (rnd.nextGaussian() * 0.02) : 0f;
            }
        }
    }

    /**
     * Sets the gate from stage-1 gates instead of near uniform: {@code stage1Gates.get(e)} is the gate
     * slab of the stage-1 model whose one expert is e (per block: (backbone, e) weights (2, C) and
     * bias (2)). Per block, the backbone's row becomes 0 and expert e's row its stage-1 row minus
     * the stage-1 backbone row, weights and bias alike, so that logit_e − logit_backbone is the
     * log-odds of e against the backbone that e's stage-1 gate learned, for every expert at once.
     * With one expert the composed gate gives the stage-1 gate's weights (up to rounding). The
     * stage-1 gates must read the same gate input (normalised or not, token or prefix mean) and
     * use the same temperature for their odds to mean the same here; the caller checks that.
     */
    public void composeGate(Map<String, Slab> stage1Gates) {
        int C = backbone.config().width();
        ModeConfig one = new ModeConfig(config.blocks(), config.layersPerExpertBlock(), List.of("e"), config.gate(),
                config.init());
        Layout stage1 = gateLayout(C, one);
        float[] p = gate.params().data();
        java.util.Arrays.fill(p, 0f);
        for (int e = 0; e < config.experts().size(); e++) {
            String name = config.experts().get(e);
            Slab g = stage1Gates.get(name);
            if (g == null) {
                throw new IllegalArgumentException("no stage-1 gate for expert '" + name + "'; have " + stage1Gates.keySet());
            }
            if (g.size() != stage1.size()) {
                throw new IllegalArgumentException("the stage-1 gate of '" + name + "' has " + g.size()
                        + " parameters, but a one-expert gate of " + config.blocks() + " blocks has " + stage1.size());
            }
            float[] q = g.params().data();
            for (int b = 0; b < config.blocks(); b++) {
                int w = gate.offset("b" + b + ".weight"), bias = gate.offset("b" + b + ".bias");
                int w1 = g.offset("b" + b + ".weight"), bias1 = g.offset("b" + b + ".bias");
                // weight (sources, C): row 1 + e = stage-1 row 1 − stage-1 row 0; row 0 stays 0
                for (int c = 0; c < C; c++) {
                    p[w + (1 + e) * C + c] = q[w1 + C + c] - q[w1 + c];
                }
                p[bias + 1 + e] = q[bias1 + 1] - q[bias1];
            }
        }
    }

    public GptParams backbone() {
        return backbone;
    }

    public ModeConfig config() {
        return config;
    }

    public int layersPerBlock() {
        return backbone.config().layers() / config.blocks();
    }

    public Slab expert(String name) {
        Slab s = experts.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no expert '" + name + "'; have " + experts.keySet());
        }
        return s;
    }

    /** Expert slabs in gate order. */
    public List<Slab> experts() {
        return List.copyOf(experts.values());
    }

    public LayerSlot expertLayer(String name, int block, int layer) {
        return new LayerSlot(expert(name), expertPrefix(block, layer));
    }

    public Slab gate() {
        return gate;
    }

    /** Every slab: backbone, experts, gate. */
    public List<Slab> slabs() {
        List<Slab> all = new ArrayList<>(backbone.slabs());
        all.addAll(experts.values());
        all.add(gate);
        return all;
    }
}
