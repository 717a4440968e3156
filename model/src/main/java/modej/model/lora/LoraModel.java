package modej.model.lora;

import modej.model.method.AdaptedModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
import modej.model.gpt.GptGraphs;
import modej.model.gpt.GptParams;
import modej.model.gpt.LmDecoder;
import modej.model.gpt.LmGraphs;
import modej.model.lora.LoraParams;
import modej.model.lora.LoraSlot;
import modej.model.param.ParameterCounts;
import modej.model.param.Slab;

/** A frozen backbone (frozen by the constructor) with trainable LoRA adapters. */
public final class LoraModel implements AdaptedModel {

    private final GptParams backbone;
    private final LoraParams lora;
    private final String method;

    public LoraModel(String method, GptParams backbone, LoraParams lora) {
        this.method = method;
        this.backbone = backbone;
        this.lora = lora;
        backbone.slabs().forEach(Slab::freeze);
        lora.slab().makeTrainable();
    }

    /**
     * The rank whose adapter parameter count is closest to {@code target} (ties: the smaller rank),
     * for LoRA with as many trainable parameters as a MoDE configuration.
     */
    public static int matchedRank(GptConfig config, Set<String> targets, long target) {
        long perRank = LoraParams.parameterCount(config, 1, targets);
        int r = (int) Math.max(1, Math.round((double) target / perRank));
        if (r > 1 && Math.abs(perRank * (r - 1) - target) <= Math.abs(perRank * r - target)) {
            r--;
        }
        return r;
    }

    public LoraParams lora() {
        return lora;
    }

    @Override public String method() { return method; }
    @Override public GptParams backbone() { return backbone; }
    @Override public LmGraphs graphs(int batch, int seq) { return new GptGraphs(backbone, lora, batch, seq); }
    @Override public LmDecoder decoder(int batch) { return new GptDecoder(backbone, lora, batch); }

    @Override
    public List<Slab> slabs() {
        List<Slab> all = new ArrayList<>(backbone.slabs());
        all.add(lora.slab());
        return all;
    }

    @Override
    public ParameterCounts counts() {
        return ParameterCounts.of(slabs(), backbone.config().parameterCount() + lora.slab().size());
    }

    @Override
    public long forwardFlopsPerToken(int seq) {
        GptConfig c = backbone.config();
        long mm = c.layers() * AdaptedModel.layerMatmulWeights(c.width()) + (long) c.vocab() * c.width() + lora.slab().size();
        return AdaptedModel.gptFlops(mm, c.layers(), seq, c.width());
    }

    @Override
    public long trainFlopsPerToken(int seq) {
        GptConfig c = backbone.config();
        long trainable = backbone.layers().stream().filter(Slab::trainable).count();
        // the adapters' two matmuls: input gradients always, weight gradients when trained
        long adapters = 2 * lora.slab().size() + (lora.slab().trainable() ? 2 * lora.slab().size() : 0);
        return forwardFlopsPerToken(seq) + AdaptedModel.headBackwardFlops(backbone)
                + AdaptedModel.layersBackwardFlops(c.layers(), trainable, seq, c.width()) + adapters;
    }

    @Override
    public void save(Path file, Map<String, String> metadata) {
        Map<String, String> meta = new LinkedHashMap<>(GptCheckpoint.withConfig(metadata, backbone.config()));
        meta.put("modej.lora.rank", Integer.toString(lora.rank()));
        meta.put("modej.lora.alpha", Float.toString(lora.alpha()));
        meta.put("modej.lora.targets", String.join(",", lora.targets().stream().sorted().toList()));
        meta.put(ModeCheckpoint.BACKBONE_KEY, ModeCheckpoint.fingerprint(backbone));
        SlabFiles.save(file, List.of(lora.slab()), meta, false);
    }

    /** Loads adapters saved by {@link #save} onto {@code backbone} (which must be the one they were trained on). */
    public static LoraModel load(Path file, GptParams backbone) {
        var ckpt = Safetensors.read(file);
        Map<String, String> m = ckpt.metadata();
        if (!m.containsKey("modej.lora.rank")) {
            throw new CheckpointException(file, "no modej.lora.rank in the metadata: not a LoRA checkpoint");
        }
        String saved = m.get(ModeCheckpoint.BACKBONE_KEY);
        if (saved != null && !saved.equals(ModeCheckpoint.fingerprint(backbone))) {
            throw new CheckpointException(file, "was trained on another backbone");
        }
        Set<String> targets = Set.of(m.get("modej.lora.targets").split(","));
        for (String t : targets) {
            if (!LoraSlot.TARGETS.contains(t)) {
                throw new CheckpointException(file, "unknown LoRA target '" + t + "'");
            }
        }
        LoraParams lora = new LoraParams(backbone.config(), Integer.parseInt(m.get("modej.lora.rank")),
                Float.parseFloat(m.get("modej.lora.alpha")), targets, 0);
        SlabFiles.load(ckpt, List.of(lora.slab()), false);
        return new LoraModel("lora", backbone, lora);
    }
}
