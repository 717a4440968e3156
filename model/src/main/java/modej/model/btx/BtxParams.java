package modej.model.btx;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import modej.model.gpt.GptParams;
import modej.model.gpt.LayerSlot;
import modej.model.param.Layout;
import modej.model.param.Slab;
import modej.model.param.Slice;

/**
 * A BTX model's weights: the backbone, one slab per FFN expert ({@code btx.<name>}, per layer
 * {@code l<l>.fc.weight} (4C, C), {@code l<l>.fc.bias} (4C), {@code l<l>.fc_proj.weight} (C, 4C),
 * {@code l<l>.fc_proj.bias} (C)) and, in stage 2, the routers' slab {@code btx.router} (per layer
 * {@code l<l>.weight} (E1, C), {@code l<l>.bias} (E1)). The experts replace the backbone's MLPs,
 * which the model does not read; every expert starts as a copy of them (sparse upcycling).
 */
public final class BtxParams {

    private final GptParams backbone;
    private final BtxConfig config;
    private final Map<String, Slab> experts = new LinkedHashMap<>();
    private final Slab router;

    /** Every expert a copy of the backbone's MLPs; the router (stage 2) N(0, 0.02) weights and zero bias. */
    public BtxParams(GptParams backbone, BtxConfig config, long seed) {
        this(backbone, config, Map.of(), seed);
    }

    /**
     * Experts from {@code trained} where it has them (e.g. stage-1 branches, by domain; their
     * layouts must be {@link #expertLayout}), copies of the backbone's MLPs otherwise.
     */
    public BtxParams(GptParams backbone, BtxConfig config, Map<String, Slab> trained, long seed) {
        this.backbone = backbone;
        this.config = config;
        int C = backbone.config().width(), L = backbone.config().layers();
        for (String name : config.sourceNames()) {
            Slab s = trained.get(name);
            if (s == null) {
                s = new Slab("btx." + name, expertLayout(C, L));
                copyBackboneMlps(s);
            } else if (s.size() != expertLayout(C, L).size()) {
                throw new IllegalArgumentException("btx expert " + name + " has " + s.size() + " parameters, not "
                        + expertLayout(C, L).size() + " (another backbone?)");
            }
            experts.put(name, s);
        }
        if (config.mixed()) {
            router = new Slab("btx.router", routerLayout(C, L, config.sources()));
            SplittableRandom rnd = new SplittableRandom(seed);
            float[] p = router.params().data();
            for (Slice s : router.layout().slices()) {
                if (s.name().endsWith(".weight")) {
                    for (int i = 0; i < s.size(); i++) {
                        p[s.offset() + i] = (float) (rnd.nextGaussian() * 0.02);
                    }
                }
            }
        } else {
            router = null;
        }
    }

    /** The slices of one FFN expert in every layer. */
    public static Layout expertLayout(int C, int layers) {
        Layout l = new Layout();
        for (int i = 0; i < layers; i++) {
            String p = "l" + i + ".";
            l.add(p + "fc.weight", true, 4 * C, C);          // (4C, C)
            l.add(p + "fc.bias", false, 4 * C);              // (4C)
            l.add(p + "fc_proj.weight", true, C, 4 * C);     // (C, 4C)
            l.add(p + "fc_proj.bias", false, C);             // (C)
        }
        return l;
    }

    /** One router per layer over E1 sources. */
    public static Layout routerLayout(int C, int layers, int E1) {
        Layout l = new Layout();
        for (int i = 0; i < layers; i++) {
            l.add("l" + i + ".weight", true, E1, C);         // (E1, C)
            l.add("l" + i + ".bias", false, E1);             // (E1)
        }
        return l;
    }

    /** Parameters of one layer's MLP: fc and fc_proj with biases, 8C² + 5C. */
    public static long mlpParameters(int C) {
        return 8L * C * C + 5L * C;
    }

    private void copyBackboneMlps(Slab to) {
        for (int l = 0; l < backbone.config().layers(); l++) {
            Slab from = backbone.layer(l);
            for (String s : List.of("fc.weight", "fc.bias", "fc_proj.weight", "fc_proj.bias")) {
                Slice a = from.layout().get(s), b = to.layout().get("l" + l + "." + s);
                System.arraycopy(from.params().data(), a.offset(), to.params().data(), b.offset(), a.size());
            }
        }
    }

    /** Where source {@code s}'s MLP of layer {@code l} lives: slices {@code fc.*}, {@code fc_proj.*} under the slot. */
    public LayerSlot mlp(int source, int layer) {
        return new LayerSlot(experts.get(config.sourceNames().get(source)), "l" + layer + ".");
    }

    public GptParams backbone() {
        return backbone;
    }

    public BtxConfig config() {
        return config;
    }

    /** The FFN experts' slabs, in source order. */
    public List<Slab> experts() {
        return List.copyOf(experts.values());
    }

    public Slab expert(String name) {
        return experts.get(name);
    }

    /** The routers' slab, or null in stage 1. */
    public Slab router() {
        return router;
    }

    /** BTX's own slabs: the experts, then the router (stage 2). */
    public List<Slab> ownSlabs() {
        List<Slab> own = new ArrayList<>(experts.values());
        if (router != null) {
            own.add(router);
        }
        return own;
    }

    /** Every slab: the backbone's, then BTX's own. */
    public List<Slab> slabs() {
        List<Slab> all = new ArrayList<>(backbone.slabs());
        all.addAll(ownSlabs());
        return all;
    }
}
