package modej.model.method;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import modej.model.checkpoint.GptCheckpoint;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptDecoder;
import modej.model.gpt.GptGraphs;
import modej.model.gpt.GptParams;
import modej.model.gpt.LmDecoder;
import modej.model.gpt.LmGraphs;
import modej.model.param.ParameterCounts;
import modej.model.param.Slab;

/**
 * The backbone alone: frozen (the reference) or fully fine-tuned (every slab trainable). Either
 * way the constructor sets every backbone slab so, whatever an earlier model made of it.
 */
public final class BackboneModel implements AdaptedModel {

    private final GptParams params;
    private final boolean trained;

    public BackboneModel(GptParams params, boolean fullFineTuning) {
        this.params = params;
        this.trained = fullFineTuning;
        if (fullFineTuning) {
            params.makeTrainable();
        } else {
            params.slabs().forEach(Slab::freeze);
        }
    }

    @Override public String method() { return trained ? "full" : "frozen"; }
    @Override public GptParams backbone() { return params; }
    @Override public LmGraphs graphs(int batch, int seq) { return new GptGraphs(params, batch, seq); }
    @Override public LmDecoder decoder(int batch) { return new GptDecoder(params, null, batch); }
    @Override public List<Slab> slabs() { return params.slabs(); }

    @Override
    public ParameterCounts counts() {
        return ParameterCounts.of(params.slabs(), params.config().parameterCount());
    }

    @Override
    public long forwardFlopsPerToken(int seq) {
        GptConfig c = params.config();
        long mm = c.layers() * AdaptedModel.layerMatmulWeights(c.width()) + (long) c.vocab() * c.width();
        return AdaptedModel.gptFlops(mm, c.layers(), seq, c.width());
    }

    @Override
    public long trainFlopsPerToken(int seq) {
        GptConfig c = params.config();
        long trainable = params.layers().stream().filter(Slab::trainable).count();
        // backward: the head, then every layer (input gradients flow down to the embeddings)
        return forwardFlopsPerToken(seq) + AdaptedModel.headBackwardFlops(params)
                + AdaptedModel.layersBackwardFlops(c.layers(), trainable, seq, c.width());
    }

    @Override
    public void save(Path file, Map<String, String> metadata) {
        GptCheckpoint.save(file, params, metadata, false);
    }
}
