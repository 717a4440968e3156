package modej.model.mode;

import modej.model.method.AdaptedModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import modej.model.checkpoint.ModeCheckpoint;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptParams;
import modej.model.gpt.LmDecoder;
import modej.model.gpt.LmGraphs;
import modej.model.mode.ModeConfig;
import modej.model.mode.ModeDecoder;
import modej.model.mode.ModeGraphs;
import modej.model.mode.ModeParams;
import modej.model.param.ParameterCounts;
import modej.model.param.Slab;

/**
 * A frozen backbone with domain experts and gates. Stage 1 ({@code mode-expert}) trains one
 * expert and its gate; stage 2 ({@code mode-compose}) trains the composed experts and a fresh gate,
 * or the gate only.
 */
public final class ModeModel implements AdaptedModel {

    private final String method;
    private final ModeParams params;

    /**
     * Sets what is trained: the backbone never; experts and gate as asked, also when they come
     * from an earlier model (a stage-1 expert is still trainable in the process that trained it).
     *
     * @param trainExperts whether the expert slabs are trained (the gate always is, unless nothing is)
     */
    public ModeModel(String method, ModeParams params, boolean trainExperts, boolean trainGate) {
        this.method = method;
        this.params = params;
        params.backbone().slabs().forEach(Slab::freeze);
        params.experts().forEach(trainExperts ? Slab::makeTrainable : Slab::freeze);
        if (trainGate) {
            params.gate().makeTrainable();
        } else {
            params.gate().freeze();
        }
    }

    public ModeParams params() {
        return params;
    }

    @Override public String method() { return method; }
    @Override public GptParams backbone() { return params.backbone(); }
    @Override public LmGraphs graphs(int batch, int seq) { return new ModeGraphs(params, batch, seq); }
    @Override public LmDecoder decoder(int batch) { return new ModeDecoder(params, batch); }
    @Override public List<Slab> slabs() { return params.slabs(); }

    /**
     * Every parameter runs on every token: the backbone, the gate and all experts, also with a
     * top-k gate (its unselected experts are computed and weighted 0; nothing is skipped).
     */
    @Override
    public ParameterCounts counts() {
        long experts = params.experts().stream().mapToLong(Slab::size).sum();
        long active = params.backbone().config().parameterCount() + params.gate().size() + experts;
        return ParameterCounts.of(params.slabs(), active);
    }

    /** Transformer layers of all experts together. */
    private long expertLayers() {
        ModeConfig m = params.config();
        return (long) m.experts().size() * m.blocks() * m.layersPerExpertBlock();
    }

    @Override
    public long forwardFlopsPerToken(int seq) {
        GptConfig c = params.backbone().config();
        ModeConfig m = params.config();
        long layers = c.layers() + expertLayers();
        long mm = layers * AdaptedModel.layerMatmulWeights(c.width()) + (long) c.vocab() * c.width()
                + (long) m.blocks() * m.sources() * c.width();
        return AdaptedModel.gptFlops(mm, layers, seq, c.width());
    }

    /**
     * As {@link ModeGraphs} records the backward pass: the head; per block the gate (input
     * gradient, and weight gradient when trained), every expert's layers (their input gradients
     * are needed by the gates below, so they run even when the experts are frozen) and the
     * backbone's layers, except the first block's when nothing below it trains.
     */
    @Override
    public long trainFlopsPerToken(int seq) {
        GptConfig c = params.backbone().config();
        ModeConfig m = params.config();
        int perBlock = params.layersPerBlock();
        long backboneLayers = c.layers(), backboneTrainable = 0;
        boolean belowTrainable = params.backbone().embeddings().trainable();
        for (int j = 0; j < perBlock; j++) {
            belowTrainable |= params.backbone().layer(j).trainable();
        }
        if (!belowTrainable) {
            backboneLayers -= perBlock;
        }
        for (int l = belowTrainable ? 0 : perBlock; l < c.layers(); l++) {
            backboneTrainable += params.backbone().layer(l).trainable() ? 1 : 0;
        }
        long expertTrainable = 0;
        for (String e : m.experts()) {
            expertTrainable += params.expert(e).trainable() ? (long) m.blocks() * m.layersPerExpertBlock() : 0;
        }
        long gate = (long) m.blocks() * m.sources() * c.width();
        return forwardFlopsPerToken(seq) + AdaptedModel.headBackwardFlops(params.backbone())
                + AdaptedModel.layersBackwardFlops(backboneLayers, backboneTrainable, seq, c.width())
                + AdaptedModel.layersBackwardFlops(expertLayers(), expertTrainable, seq, c.width())
                + 2 * gate + (params.gate().trainable() ? 2 * gate : 0);
    }

    @Override
    public void save(Path file, Map<String, String> metadata) {
        ModeCheckpoint.save(file, params, metadata, false);
    }
}
