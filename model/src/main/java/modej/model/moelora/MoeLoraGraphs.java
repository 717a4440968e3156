package modej.model.moelora;

import java.util.List;

import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.model.gpt.GptGraphs;
import modej.model.gpt.LmEnds;
import modej.model.gpt.GptParams;
import modej.model.gpt.Shape;
import modej.model.method.RoutedGraphs;
import modej.model.param.Slab;

/**
 * The backbone with MoE-LoRA in every layer, recorded for one batch shape: {@link GptGraphs} with
 * {@link MoeLoraLayers} as the layers' adapter, and the routers' weights to read after a forward.
 */
public final class MoeLoraGraphs implements RoutedGraphs {

    private final MoeLoraParams params;
    private final MoeLoraLayers layers;
    private final GptGraphs graphs;

    public MoeLoraGraphs(GptParams backbone, MoeLoraParams params, int batch, int seq) {
        this.params = params;
        this.layers = new MoeLoraLayers(params);
        this.graphs = new GptGraphs(backbone, null, layers, batch, seq);
    }

    /** One router per layer. */
    @Override
    public int routers() {
        return params.backbone().layers();
    }

    /** MoE-LoRA's experts, e0 … e(E−1): the same in every layer and target. */
    @Override
    public List<String> sourceNames() {
        return java.util.stream.IntStream.range(0, params.config().experts()).mapToObj(e -> "e" + e).toList();
    }

    /** Layer l's router weights (B·T, E) after the last forward: the top k renormalised, 0 for the others. */
    @Override
    public Buffer.F32 routerWeights(int layer) {
        return layers.routerWeights(layer);
    }

    @Override
    public int rowsPerDecision() {
        return 1;
    }

    public MoeLoraParams params() {
        return params;
    }

    @Override public Shape shape() { return graphs.shape(); }
    @Override public LmEnds ends() { return graphs.ends(); }
    @Override public List<Graph> forward() { return graphs.forward(); }
    @Override public List<Graph> backward() { return graphs.backward(); }
    @Override public List<Slab> slabs() { return graphs.slabs(); }
}
