package modej.model.gpt;

import modej.model.lora.LoraParams;
import java.util.ArrayList;
import java.util.List;

import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.model.param.Optimizer;
import modej.model.param.Slab;

/**
 * The backbone's forward (with loss) and backward graphs for one batch shape, optionally with
 * LoRA adapters. Recorded once; a training step runs forward, backward and the optimizer.
 */
public final class GptGraphs implements LmGraphs {

    private final GptParams params;
    private final LoraParams lora;
    private final LayerAdapter.Factory adapters;
    private final LmEnds ends;
    private final Buffer.F32 dres;
    private final List<TransformerLayer.Activations> acts = new ArrayList<>();
    private final TransformerLayer.Scratch scratch;
    private final Graph forward, backward;

    public GptGraphs(GptParams params, int batch, int seq) {
        this(params, null, batch, seq);
    }

    /** @param lora adapters on the layers' projections, or null */
    public GptGraphs(GptParams params, LoraParams lora, int batch, int seq) {
        this(params, lora, null, batch, seq);
    }

    /** @param adapters makes each layer's other adapter (e.g. MoE-LoRA), or null */
    public GptGraphs(GptParams params, LoraParams lora, LayerAdapter.Factory adapters, int batch, int seq) {
        GptConfig c = params.config();
        if (seq > c.context()) {
            throw new IllegalArgumentException("seq " + seq + " exceeds the model's context " + c.context());
        }
        this.params = params;
        this.lora = lora;
        this.adapters = adapters;
        Shape shape = new Shape(batch, seq, c.width(), c.heads());
        this.ends = new LmEnds(params, shape);
        this.dres = new Buffer.F32("dres", shape.rows() * c.width());
        this.scratch = new TransformerLayer.Scratch("backbone", shape);
        for (int l = 0; l < c.layers(); l++) {
            acts.add(new TransformerLayer.Activations("l" + l, shape, lora == null ? null : lora.slot(l), scratch,
                    adapters == null ? null : adapters.forLayer(l, "l" + l, shape)));
        }
        forward = recordForward();
        backward = recordBackward();
    }

    private Graph recordForward() {
        Graph g = new Graph("forward");
        ends.embed(g);
        Buffer.F32 x = ends.encoded;
        for (int l = 0; l < params.config().layers(); l++) {
            TransformerLayer.forward(g, "l" + l, LayerSlot.of(params.layer(l)), x, acts.get(l), ends.shape);
            x = acts.get(l).out;
        }
        ends.head(g, x);
        return g;
    }

    private Graph recordBackward() {
        int L = params.config().layers();
        Graph g = new Graph("backward");
        Optimizer.zeroGrads(g, slabs());
        ends.headBackward(g, acts.get(L - 1).out, dres);
        // the layers, last first; dres carries ∂L/∂(layer input) down
        for (int l = L - 1; l >= 0; l--) {
            Buffer.F32 x = l == 0 ? ends.encoded : acts.get(l - 1).out;
            TransformerLayer.backward(g, "l" + l, LayerSlot.of(params.layer(l)), x, acts.get(l), dres, scratch, ends.shape);
        }
        ends.embedBackward(g, dres);
        return g;
    }

    @Override public Shape shape() { return ends.shape; }
    @Override public LmEnds ends() { return ends; }
    @Override public List<Graph> forward() { return List.of(forward); }
    @Override public List<Graph> backward() { return List.of(backward); }

    @Override
    public List<Slab> slabs() {
        List<Slab> all = new ArrayList<>(params.slabs());
        if (lora != null) {
            all.add(lora.slab());
        }
        if (adapters != null) {
            all.addAll(adapters.slabs());
        }
        return all;
    }

    public GptParams params() {
        return params;
    }
}
