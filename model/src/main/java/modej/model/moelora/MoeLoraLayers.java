package modej.model.moelora;

import static modej.engine.graph.Arg.f32;
import static modej.engine.graph.Arg.i32;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.kernel.ExpertScale;
import modej.engine.kernel.Gate;
import modej.engine.kernel.Matmul;
import modej.model.gpt.LayerAdapter;
import modej.model.gpt.Shape;
import modej.model.gpt.TransformerLayer;
import modej.model.param.Slab;

/**
 * MoE-LoRA recorded into the layers of one set of graphs (one batch shape). Per layer, after ln1:
 * router logits (rows, E) = ln1 · Wrᵀ, weights = softmax, top k renormalised ({@link Gate#forward}).
 * Per adapted projection, all E experts at once (their A and B stacked, {@link MoeLoraParams}):
 * raw (rows, E·r) = inp · Aᵀ, h = scale · g_e · raw in expert e's columns ({@link ExpertScale}),
 * out += h · Bᵀ. Every expert computes on every token (an unchosen one is weighted 0): the cost is
 * dense whatever top k is. Backward mirrors it; the router's gradient collects each projection's
 * ∂L/∂g, plus the Switch balance loss, and flows on into ln1's gradient.
 */
public final class MoeLoraLayers implements LayerAdapter.Factory {

    private final MoeLoraParams params;
    private final List<Layer> layers = new ArrayList<>();
    private final Buffer.F32 balanceCoef;
    // backward scratch of (rows, E·r), shared by the layers of these graphs, which run one after another
    private Buffer.F32 dh, draw;

    public MoeLoraLayers(MoeLoraParams params) {
        this.params = params;
        this.balanceCoef = new Buffer.F32("moe_lora.balance_coef", 1);
        balanceCoef.data()[0] = params.config().balance();
    }

    @Override
    public LayerAdapter forLayer(int layer, String prefix, Shape shape) {
        int n = shape.rows() * params.config().experts() * params.config().rank();
        if (dh == null) {
            dh = new Buffer.F32(prefix + ".moe_lora.dh", n);         // (rows, E·r)
            draw = new Buffer.F32(prefix + ".moe_lora.draw", n);     // (rows, E·r)
        } else if (dh.length() != n) {
            throw new IllegalArgumentException("every MoE-LoRA layer of one set of graphs must have the same shape");
        }
        Layer l = new Layer(layer, prefix, shape.rows());
        layers.add(l);
        return l;
    }

    @Override
    public List<Slab> slabs() {
        return List.of(params.slab());
    }

    /** The router's weights (rows, E) of the {@code i}-th layer made, after the last forward: top k renormalised, 0 elsewhere. */
    public Buffer.F32 routerWeights(int i) {
        return layers.get(i).weights;
    }

    /** Layers made so far. */
    public int layers() {
        return layers.size();
    }

    /** One layer's router and experts, and its buffers. */
    private final class Layer implements LayerAdapter {
        final int index, rows;
        final Buffer.F32 logits, probs, weights, stats, dlogits;
        final Map<String, Buffer.F32> dweights = new LinkedHashMap<>();     // per target: ∂L/∂g (rows, E)
        final Map<String, Buffer.F32> raw = new LinkedHashMap<>(), h = new LinkedHashMap<>();

        Layer(int index, String prefix, int rows) {
            this.index = index;
            this.rows = rows;
            MoeLoraConfig c = params.config();
            int E = c.experts(), n = rows * E * c.rank();
            String p = prefix + ".moe_lora";
            logits = new Buffer.F32(p + ".logits", rows * E);     // (rows, E)
            probs = new Buffer.F32(p + ".probs", rows * E);       // (rows, E)
            weights = new Buffer.F32(p + ".weights", rows * E);   // (rows, E)
            stats = new Buffer.F32(p + ".stats", 2 * E);          // (2, E): top-1 fraction, mean prob
            dlogits = new Buffer.F32(p + ".dlogits", rows * E);   // (rows, E)
            for (String t : c.targets().stream().sorted().toList()) {
                dweights.put(t, new Buffer.F32(p + "." + t + ".dweights", rows * E));   // (rows, E)
                raw.put(t, new Buffer.F32(p + "." + t + ".raw", n));                   // (rows, E·r) = inp · Aᵀ
                h.put(t, new Buffer.F32(p + "." + t + ".h", n));                       // (rows, E·r), routed
            }
        }

        @Override
        public void afterNorm(Graph g, String name, Buffer.F32 ln1) {
            MoeLoraConfig c = params.config();
            int C = params.backbone().width(), E = c.experts();
            Slab s = params.slab();
            // logits (rows, E) = ln1 · Wrᵀ; weights = softmax, cut to the top k and renormalised
            g.task(name + ".moe_lora.router", rows, Matmul::forward, logits, ln1, s.params(),
                    i32(params.routerOffset(index)), i32(-1), i32(C), i32(E));
            g.task(name + ".moe_lora.softmax", rows, Gate::forward, weights, probs, logits, i32(E), i32(c.topK()), f32(1f));
            if (c.balance() > 0) {
                g.task(name + ".moe_lora.balance_stats", E, Gate::balanceStats, stats, probs, i32(E), i32(rows));
            }
        }

        @Override
        public void project(Graph g, String name, String target, Buffer.F32 out, Buffer.F32 inp, int rows, int C, int OC) {
            if (!params.config().targets().contains(target)) {
                return;
            }
            MoeLoraConfig c = params.config();
            int E = c.experts(), er = E * c.rank();
            Buffer.F32 p = params.slab().params();
            // raw (rows, E·r) = inp · Aᵀ; h = scale · g_e · raw per expert block; out += h · Bᵀ
            g.task(name + ".moe_lora.a", rows, Matmul::forward, raw.get(target), inp, p, i32(params.offsetA(index, target)),
                    i32(-1), i32(C), i32(er));
            g.task(name + ".moe_lora.route", rows, ExpertScale::forward, h.get(target), raw.get(target), weights,
                    f32(c.scale()), i32(E), i32(c.rank()));
            g.task(name + ".moe_lora.b", rows, Matmul::forwardAccumulate, out, h.get(target), p,
                    i32(params.offsetB(index, target)), i32(er), i32(OC));
        }

        @Override
        public void projectBackward(Graph g, String name, String target, Buffer.F32 dinp, Buffer.F32 dout,
                                    Buffer.F32 inp, int rows, int C, int OC) {
            if (!params.config().targets().contains(target)) {
                return;
            }
            MoeLoraConfig c = params.config();
            int E = c.experts(), er = E * c.rank();
            Slab s = params.slab();
            boolean train = s.trainable();
            int a = params.offsetA(index, target), b = params.offsetB(index, target);
            // out += h·Bᵀ: dB += doutᵀ·h, dh = dout·B
            if (train) {
                g.task(name + ".moe_lora.b.dparams", OC, Matmul::backwardParams, s.grads(), i32(b), i32(-1), dout,
                        h.get(target), i32(rows), i32(er), i32(OC));
            }
            TransformerLayer.zero(g, name + ".moe_lora.dh.zero", dh);
            g.task(name + ".moe_lora.b.dinp", rows, Matmul::backwardInput, dh, dout, s.params(), i32(b), i32(er), i32(OC));
            // h = scale·g_e·raw: draw = scale·g_e·dh, ∂g_e = scale·Σ_k dh·raw (both written)
            g.task(name + ".moe_lora.route.backward", rows, ExpertScale::backward, draw, dweights.get(target), dh,
                    raw.get(target), weights, f32(c.scale()), i32(E), i32(c.rank()));
            // raw = inp·Aᵀ: dA += drawᵀ·inp, dinp += draw·A
            if (train) {
                g.task(name + ".moe_lora.a.dparams", er, Matmul::backwardParams, s.grads(), i32(a), i32(-1), draw, inp,
                        i32(rows), i32(C), i32(er));
            }
            g.task(name + ".moe_lora.a.dinp", rows, Matmul::backwardInput, dinp, draw, s.params(), i32(a), i32(C), i32(er));
        }

        @Override
        public void afterNormBackward(Graph g, String name, Buffer.F32 ln1, Buffer.F32 dln1) {
            MoeLoraConfig c = params.config();
            int C = params.backbone().width(), E = c.experts();
            Slab s = params.slab();
            // dlogits = Σ over targets of the softmax (top-k) backward of ∂L/∂g: linear in ∂L/∂g
            TransformerLayer.zero(g, name + ".moe_lora.dlogits.zero", dlogits);
            for (var d : dweights.entrySet()) {
                g.task(name + ".moe_lora." + d.getKey() + ".softmax.backward", rows, Gate::backward, dlogits,
                        d.getValue(), weights, i32(E), f32(1f));
            }
            if (c.balance() > 0) {
                g.task(name + ".moe_lora.balance.backward", rows, Gate::balanceBackward, dlogits, probs, stats,
                        balanceCoef, i32(E), i32(rows), f32(1f));
            }
            // logits = ln1·Wrᵀ: dWr += dlogitsᵀ·ln1, dln1 += dlogits·Wr
            if (s.trainable()) {
                g.task(name + ".moe_lora.router.dparams", E, Matmul::backwardParams, s.grads(),
                        i32(params.routerOffset(index)), i32(-1), dlogits, ln1, i32(rows), i32(C), i32(E));
            }
            g.task(name + ".moe_lora.router.dinp", rows, Matmul::backwardInput, dln1, dlogits, s.params(),
                    i32(params.routerOffset(index)), i32(C), i32(E));
        }
    }
}
