package modej.model.moelora;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import modej.model.checkpoint.CheckpointException;
import modej.model.checkpoint.GptCheckpoint;
import modej.model.checkpoint.ModeCheckpoint;
import modej.model.checkpoint.Safetensors;
import modej.model.checkpoint.SlabFiles;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptDecoder;
import modej.model.gpt.GptParams;
import modej.model.gpt.LmDecoder;
import modej.model.method.AdaptedModel;
import modej.model.param.ParameterCounts;
import modej.model.param.Slab;

/** A frozen backbone (frozen by the constructor) with trainable MoE-LoRA experts and routers. */
public final class MoeLoraModel implements AdaptedModel {

    /** The metadata key that marks a MoE-LoRA checkpoint; its value is {@link MoeLoraConfig#describe}. */
    public static final String KEY = "modej.moe_lora";

    private final GptParams backbone;
    private final MoeLoraParams params;

    public MoeLoraModel(GptParams backbone, MoeLoraParams params) {
        if (!backbone.config().equals(params.backbone())) {
            throw new IllegalArgumentException("MoE-LoRA weights for " + params.backbone() + " on a backbone " + backbone.config());
        }
        this.backbone = backbone;
        this.params = params;
        backbone.slabs().forEach(Slab::freeze);
        params.slab().makeTrainable();
    }

    public MoeLoraParams params() {
        return params;
    }

    @Override public String method() { return "moe-lora"; }
    @Override public GptParams backbone() { return backbone; }
    @Override public MoeLoraGraphs graphs(int batch, int seq) { return new MoeLoraGraphs(backbone, params, batch, seq); }
    @Override public LmDecoder decoder(int batch) { return new GptDecoder(backbone, null, new MoeLoraLayers(params), batch); }

    @Override
    public List<Slab> slabs() {
        List<Slab> all = new ArrayList<>(backbone.slabs());
        all.add(params.slab());
        return all;
    }

    /**
     * Every parameter runs on every token: the backbone, the routers and all E experts of every
     * target, also with top k below E (the unchosen experts compute and are weighted 0; nothing is
     * skipped).
     */
    @Override
    public ParameterCounts counts() {
        return ParameterCounts.of(slabs(), backbone.config().parameterCount() + params.slab().size());
    }

    /** The backbone's matmuls plus every expert's two and the routers' (all computed for every token). */
    @Override
    public long forwardFlopsPerToken(int seq) {
        GptConfig c = backbone.config();
        long mm = c.layers() * AdaptedModel.layerMatmulWeights(c.width()) + (long) c.vocab() * c.width() + params.slab().size();
        return AdaptedModel.gptFlops(mm, c.layers(), seq, c.width());
    }

    /**
     * As {@link MoeLoraLayers} records backward: the head, every frozen layer's input gradients,
     * and for the experts and routers their input gradients always (2·N) and weight gradients
     * when trained (2·N). The per-token weighting and softmax are not matmuls and not counted.
     */
    @Override
    public long trainFlopsPerToken(int seq) {
        GptConfig c = backbone.config();
        long trainable = backbone.layers().stream().filter(Slab::trainable).count();
        long n = params.slab().size();
        long adapters = 2 * n + (params.slab().trainable() ? 2 * n : 0);
        return forwardFlopsPerToken(seq) + AdaptedModel.headBackwardFlops(backbone)
                + AdaptedModel.layersBackwardFlops(c.layers(), trainable, seq, c.width()) + adapters;
    }

    @Override
    public void save(Path file, Map<String, String> metadata) {
        MoeLoraConfig m = params.config();
        Map<String, String> meta = new LinkedHashMap<>(GptCheckpoint.withConfig(metadata, backbone.config()));
        meta.put(KEY, m.describe());
        meta.put(KEY + ".experts", Integer.toString(m.experts()));
        meta.put(KEY + ".rank", Integer.toString(m.rank()));
        meta.put(KEY + ".alpha", Float.toString(m.alpha()));
        meta.put(KEY + ".targets", String.join(",", m.targets().stream().sorted().toList()));
        meta.put(KEY + ".top_k", Integer.toString(m.topK()));
        meta.put(KEY + ".balance", Float.toString(m.balance()));
        meta.put(ModeCheckpoint.BACKBONE_KEY, ModeCheckpoint.fingerprint(backbone));
        SlabFiles.save(file, List.of(params.slab()), meta, false);
    }

    /** Loads a model saved by {@link #save} onto {@code backbone}, which must be the one it was trained on. */
    public static MoeLoraModel load(Path file, GptParams backbone) {
        var ckpt = Safetensors.read(file);
        Map<String, String> m = ckpt.metadata();
        if (!m.containsKey(KEY)) {
            throw new CheckpointException(file, "no " + KEY + " in the metadata: not a MoE-LoRA checkpoint");
        }
        String saved = m.get(ModeCheckpoint.BACKBONE_KEY);
        if (saved != null && !saved.equals(ModeCheckpoint.fingerprint(backbone))) {
            throw new CheckpointException(file, "was trained on another backbone");
        }
        MoeLoraConfig config;
        try {
            Set<String> targets = new LinkedHashSet<>(Arrays.asList(value(file, m, ".targets").split(",")));
            config = new MoeLoraConfig(Integer.parseInt(value(file, m, ".experts")), Integer.parseInt(value(file, m, ".rank")),
                    Float.parseFloat(value(file, m, ".alpha")), targets, Integer.parseInt(value(file, m, ".top_k")),
                    Float.parseFloat(value(file, m, ".balance")));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file, "bad MoE-LoRA metadata: " + e.getMessage());
        }
        MoeLoraParams params = new MoeLoraParams(backbone.config(), config, 0);
        SlabFiles.load(ckpt, List.of(params.slab()), false);
        return new MoeLoraModel(backbone, params);
    }

    private static String value(Path file, Map<String, String> m, String suffix) {
        String v = m.get(KEY + suffix);
        if (v == null) {
            throw new CheckpointException(file, "no " + KEY + suffix + " in the metadata");
        }
        return v;
    }
}
