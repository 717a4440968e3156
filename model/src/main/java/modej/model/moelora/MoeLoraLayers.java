package modej.model.moelora;

import static modej.engine.graph.Arg.f32;
import static modej.engine.graph.Arg.i32;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.kernel.Gate;
import modej.engine.kernel.Matmul;
import modej.engine.kernel.Scale;
import modej.model.gpt.LayerAdapter;
import modej.model.gpt.Shape;
import modej.model.gpt.TransformerLayer;
import modej.model.param.Slab;

/**
 * MoE-LoRA recorded into the layers of one set of graphs (one batch shape). Per layer, after ln1:
 * router logits (rows, E) = ln1 · Wrᵀ, weights = softmax, top k renormalised ({@link Gate#forward}).
 * Per adapted projection and expert e: raw = inp · A_eᵀ (rows, r), u_e = scale · raw, h_e = g_e · u_e
 * (per row), out += h_e · B_eᵀ. Every expert computes on every token (an unchosen one is weighted 0):
 * the cost is dense whatever top k is. Backward mirrors it; the router's gradient collects each
 * projection's ∂L/∂g, plus the Switch balance loss, and flows on into ln1's gradient.
 */
public final class MoeLoraLayers implements LayerAdapter.Factory {

    private final MoeLoraParams params;
    private final List<Layer> layers = new ArrayList<>();
    private final Buffer.F32 balanceCoef;
    // scratch of (rows·r), shared by the layers of these graphs, which run one after another
    private Buffer.F32 raw, dh, du, draw;

    public MoeLoraLayers(MoeLoraParams params) {
        this.params = params;
        this.balanceCoef = new Buffer.F32("moe_lora.balance_coef", 1);
        balanceCoef.data()[0] = params.config().balance();
    }

    @Override
    public LayerAdapter forLayer(int layer, String prefix, Shape shape) {
        int n = shape.rows() * params.config().rank();
        if (raw == null) {
            raw = new Buffer.F32(prefix + ".moe_lora.raw", n);       // (rows, r)
            dh = new Buffer.F32(prefix + ".moe_lora.dh", n);         // (rows, r)
            du = new Buffer.F32(prefix + ".moe_lora.du", n);         // (rows, r)
            draw = new Buffer.F32(prefix + ".moe_lora.draw", n);     // (rows, r)
        } else if (raw.length() != n) {
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
        final Map<String, List<Buffer.F32>> u = new LinkedHashMap<>(), h = new LinkedHashMap<>();

        Layer(int index, String prefix, int rows) {
            this.index = index;
            this.rows = rows;
            MoeLoraConfig c = params.config();
            int E = c.experts(), n = rows * c.rank();
            String p = prefix + ".moe_lora";
            logits = new Buffer.F32(p + ".logits", rows * E);     // (rows, E)
            probs = new Buffer.F32(p + ".probs", rows * E);       // (rows, E)
            weights = new Buffer.F32(p + ".weights", rows * E);   // (rows, E)
            stats = new Buffer.F32(p + ".stats", 2 * E);          // (2, E): top-1 fraction, mean prob
            dlogits = new Buffer.F32(p + ".dlogits", rows * E);   // (rows, E)
            for (String t : c.targets().stream().sorted().toList()) {
                dweights.put(t, new Buffer.F32(p + "." + t + ".dweights", rows * E));
                List<Buffer.F32> us = new ArrayList<>(), hs = new ArrayList<>();
                for (int e = 0; e < E; e++) {
                    us.add(new Buffer.F32(p + "." + t + ".e" + e + ".u", n));   // (rows, r) = scale · inp·A_eᵀ
                    hs.add(new Buffer.F32(p + "." + t + ".e" + e + ".h", n));   // (rows, r) = g_e · u_e
                }
                u.put(t, us);
                h.put(t, hs);
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
            int r = c.rank(), E = c.experts();
            Buffer.F32 p = params.slab().params();
            for (int e = 0; e < E; e++) {
                String n = name + ".moe_lora.e" + e;
                Buffer.F32 ue = u.get(target).get(e), he = h.get(target).get(e);
                // raw = inp · A_eᵀ (rows, r); u_e = scale · raw; h_e = g_e · u_e; out += h_e · B_eᵀ
                g.task(n + ".a", rows, Matmul::forward, raw, inp, p, i32(params.offsetA(index, target, e)), i32(-1),
                        i32(C), i32(r));
                g.task(n + ".scale", rows * r, Scale::forward, ue, raw, f32(c.scale()));
                g.task(n + ".route", rows, Gate::mixForward, he, ue, weights, i32(e), i32(E), i32(r), i32(1), i32(0));
                g.task(n + ".b", rows, Matmul::forwardAccumulate, out, he, p, i32(params.offsetB(index, target, e)),
                        i32(r), i32(OC));
            }
        }

        @Override
        public void projectBackward(Graph g, String name, String target, Buffer.F32 dinp, Buffer.F32 dout,
                                    Buffer.F32 inp, int rows, int C, int OC) {
            if (!params.config().targets().contains(target)) {
                return;
            }
            MoeLoraConfig c = params.config();
            int r = c.rank(), E = c.experts();
            Slab s = params.slab();
            boolean train = s.trainable();
            for (int e = 0; e < E; e++) {
                String n = name + ".moe_lora.e" + e;
                Buffer.F32 ue = u.get(target).get(e), he = h.get(target).get(e);
                int a = params.offsetA(index, target, e), b = params.offsetB(index, target, e);
                // out += h_e·B_eᵀ: dB_e += doutᵀ·h_e, dh = dout·B_e
                if (train) {
                    g.task(n + ".b.dparams", OC, Matmul::backwardParams, s.grads(), i32(b), i32(-1), dout, he,
                            i32(rows), i32(r), i32(OC));
                }
                TransformerLayer.zero(g, n + ".dh.zero", dh);
                g.task(n + ".b.dinp", rows, Matmul::backwardInput, dh, dout, s.params(), i32(b), i32(r), i32(OC));
                // h_e = g_e·u_e: ∂g_e = Σ_k dh·u_e (written into column e), du = g_e·dh
                g.task(n + ".route.dweights", rows, Gate::mixBackwardWeights, dweights.get(target), dh, ue, i32(e),
                        i32(E), i32(r), i32(1));
                TransformerLayer.zero(g, n + ".du.zero", du);
                g.task(n + ".route.dinp", rows, Gate::mixBackwardInput, du, dh, weights, i32(e), i32(E), i32(r), i32(1));
                // u_e = scale·raw: draw = scale·du
                TransformerLayer.zero(g, n + ".draw.zero", draw);
                g.task(n + ".scale.backward", rows * r, Scale::backward, draw, du, f32(c.scale()));
                // raw = inp·A_eᵀ: dA_e += drawᵀ·inp, dinp += draw·A_e
                if (train) {
                    g.task(n + ".a.dparams", r, Matmul::backwardParams, s.grads(), i32(a), i32(-1), draw, inp,
                            i32(rows), i32(C), i32(r));
                }
                g.task(n + ".a.dinp", rows, Matmul::backwardInput, dinp, draw, s.params(), i32(a), i32(C), i32(r));
            }
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
