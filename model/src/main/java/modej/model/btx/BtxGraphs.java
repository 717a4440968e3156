package modej.model.btx;

import java.util.ArrayList;
import java.util.List;

import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.model.gpt.LayerSlot;
import modej.model.gpt.LmEnds;
import modej.model.gpt.Shape;
import modej.model.gpt.TransformerLayer;
import modej.model.method.RoutedGraphs;
import modej.model.param.Optimizer;
import modej.model.param.Slab;

/**
 * A BTX model's forward (with loss) and backward graphs for one batch shape: every layer is the
 * backbone's attention half ({@link TransformerLayer#forwardAttention}) followed by its FFN
 * experts ({@link RoutedFfn}) in place of the MLP. Recorded once.
 */
public final class BtxGraphs implements RoutedGraphs {

    private final BtxParams params;
    private final LmEnds ends;
    private final Shape shape;
    private final Buffer.F32 dres;
    private final Buffer.F32 balanceCoef = new Buffer.F32("btx.balance_coef", 1);
    private final List<TransformerLayer.Activations> attention = new ArrayList<>();
    private final List<RoutedFfn.Activations> ffn = new ArrayList<>();
    private final List<RoutedFfn> layers = new ArrayList<>();
    private final TransformerLayer.Scratch scratch;
    private final RoutedFfn.Scratch ffnScratch;
    private final Graph forward, backward;

    public BtxGraphs(BtxParams params, int batch, int seq) {
        this(params, batch, seq, true);
    }

    /** @param skipUnrouted false runs every expert on every token, even with a sparse router (for tests) */
    BtxGraphs(BtxParams params, int batch, int seq, boolean skipUnrouted) {
        var c = params.backbone().config();
        if (seq > c.context()) {
            throw new IllegalArgumentException("seq " + seq + " exceeds the model's context " + c.context());
        }
        this.params = params;
        this.shape = new Shape(batch, seq, c.width(), c.heads());
        this.ends = new LmEnds(params.backbone(), shape);
        this.dres = new Buffer.F32("dres", shape.rows() * c.width());
        balanceCoef.data()[0] = params.config().balance();
        this.scratch = new TransformerLayer.Scratch("backbone", shape);
        this.ffnScratch = new RoutedFfn.Scratch(shape.rows(), c.width(), params.config().sources());
        for (int l = 0; l < c.layers(); l++) {
            attention.add(TransformerLayer.Activations.attentionOnly("l" + l, shape));
            ffn.add(new RoutedFfn.Activations("l" + l, shape.rows(), c.width(), params.config()));
            layers.add(new RoutedFfn(params, l, shape.rows(), skipUnrouted, balanceCoef));
        }
        forward = recordForward();
        backward = recordBackward();
    }

    private Graph recordForward() {
        Graph g = new Graph("forward");
        ends.embed(g);
        Buffer.F32 x = ends.encoded();
        for (int l = 0; l < layers.size(); l++) {
            TransformerLayer.Activations a = attention.get(l);
            // 1-6. attention and ln2, as in the backbone
            TransformerLayer.forwardAttention(g, "l" + l, LayerSlot.of(params.backbone().layer(l)), x, a, shape);
            // 7-9. the FFN experts in place of the MLP
            layers.get(l).forward(g, "l" + l, a.ln2(), a.res2(), ffn.get(l));
            x = ffn.get(l).out;
        }
        ends.head(g, x);
        return g;
    }

    private Graph recordBackward() {
        int L = layers.size();
        Graph g = new Graph("backward");
        Optimizer.zeroGrads(g, slabs());
        ends.headBackward(g, ffn.get(L - 1).out, dres);
        // the layers, last first; dres carries ∂L/∂(layer input) down
        for (int l = L - 1; l >= 0; l--) {
            Buffer.F32 x = l == 0 ? ends.encoded() : ffn.get(l - 1).out;
            TransformerLayer.Activations a = attention.get(l);
            layers.get(l).backward(g, "l" + l, a.ln2(), ffn.get(l), dres, scratch.dln2(), ffnScratch);
            TransformerLayer.backwardAttention(g, "l" + l, LayerSlot.of(params.backbone().layer(l)), x, a, dres, scratch, shape);
        }
        ends.embedBackward(g, dres);
        return g;
    }

    public BtxParams params() {
        return params;
    }

    @Override public int routers() { return params.config().mixed() ? layers.size() : 0; }
    @Override public List<String> sourceNames() { return params.config().sourceNames(); }
    @Override public Buffer.F32 routerWeights(int layer) { return ffn.get(layer).weights; }
    @Override public int rowsPerDecision() { return 1; }
    @Override public Shape shape() { return shape; }
    @Override public LmEnds ends() { return ends; }
    @Override public List<Graph> forward() { return List.of(forward); }
    @Override public List<Graph> backward() { return List.of(backward); }
    @Override public List<Slab> slabs() { return params.slabs(); }
}
