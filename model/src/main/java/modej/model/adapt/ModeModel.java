package modej.model.adapt;

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

    /** Experts a token's forward pass uses: all with a dense gate, at most top-k otherwise. */
    private int activeExperts() {
        ModeConfig c = params.config();
        int e = c.experts().size();
        return c.gate().topK() > 0 ? Math.min(e, c.gate().topK()) : e;
    }

    @Override
    public ParameterCounts counts() {
        long expert = params.experts().isEmpty() ? 0 : params.experts().get(0).size();
        long active = params.backbone().config().parameterCount() + params.gate().size() + activeExperts() * expert;
        return ParameterCounts.of(params.slabs(), active);
    }

    @Override
    public long forwardFlopsPerToken(int seq) {
        GptConfig c = params.backbone().config();
        ModeConfig m = params.config();
        long expertLayers = (long) activeExperts() * m.blocks() * m.layersPerExpertBlock();
        long layers = c.layers() + expertLayers;
        long mm = layers * AdaptedModel.layerMatmulWeights(c.width()) + (long) c.vocab() * c.width()
                + (long) m.blocks() * m.sources() * c.width();
        return AdaptedModel.gptFlops(mm, layers, seq, c.width());
    }

    @Override
    public void save(Path file, Map<String, String> metadata) {
        ModeCheckpoint.save(file, params, metadata, false);
    }
}
