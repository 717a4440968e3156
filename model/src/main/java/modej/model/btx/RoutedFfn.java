package modej.model.btx;

import static modej.engine.graph.Arg.f32;
import static modej.engine.graph.Arg.i32;

import java.util.ArrayList;
import java.util.List;

import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.kernel.Gate;
import modej.engine.kernel.Gelu;
import modej.engine.kernel.Matmul;
import modej.engine.kernel.Residual;
import modej.engine.kernel.RoutedMatmul;
import modej.engine.kernel.Scale;
import modej.model.gpt.LayerSlot;
import modej.model.gpt.TransformerLayer;
import modej.model.param.Slab;

/**
 * One layer's FFN experts in place of its MLP, recorded as tasks: out = res2 + Σ_s w_s · MLP_s(ln2).
 * Stage 1 has one expert and no router (w = 1). Stage 2's router reads ln2: logits (rows, E1) =
 * ln2 · Wrᵀ + br, w = softmax, the top k renormalised. With a sparse router an expert's two
 * matmuls run as {@link RoutedMatmul}, so a token computes only its chosen experts, forward and
 * backward; a dense router (or {@code skipUnrouted = false}) runs every expert on every token.
 */
final class RoutedFfn {

    /** What forward saves for backward, for one layer and one shape; {@code out} is the layer's output. */
    static final class Activations {
        final Buffer.F32 logits, probs, weights, stats;   // (rows, E1) ×3, (2·E1)
        final List<Buffer.F32> fch = new ArrayList<>(), fchGelu = new ArrayList<>(), y = new ArrayList<>();
        final Buffer.F32 out;

        Activations(String prefix, int rows, int C, BtxConfig config) {
            int E1 = config.sources();
            boolean router = config.mixed();
            logits = router ? new Buffer.F32(prefix + ".router.logits", rows * E1) : null;    // (rows, E1)
            probs = router ? new Buffer.F32(prefix + ".router.probs", rows * E1) : null;      // (rows, E1)
            weights = router ? new Buffer.F32(prefix + ".router.weights", rows * E1) : null;  // (rows, E1)
            stats = router && config.balance() > 0 ? new Buffer.F32(prefix + ".router.stats", 2 * E1) : null;
            for (String e : config.sourceNames()) {
                fch.add(new Buffer.F32(prefix + ".ffn." + e + ".fch", rows * 4 * C));          // (rows, 4C)
                fchGelu.add(new Buffer.F32(prefix + ".ffn." + e + ".fch_gelu", rows * 4 * C)); // (rows, 4C)
                y.add(new Buffer.F32(prefix + ".ffn." + e + ".out", rows * C));                // (rows, C)
            }
            out = new Buffer.F32(prefix + ".out", rows * C);                                   // (rows, C)
        }
    }

    /** Gradient scratch shared by every layer (their backward passes run one after another). */
    static final class Scratch {
        final Buffer.F32 dy, dfchGelu, dfch, dlogits, dweights;

        Scratch(int rows, int C, int E1) {
            dy = new Buffer.F32("btx.dy", rows * C);                   // (rows, C)
            dfchGelu = new Buffer.F32("btx.dfch_gelu", rows * 4 * C);  // (rows, 4C)
            dfch = new Buffer.F32("btx.dfch", rows * 4 * C);           // (rows, 4C)
            dlogits = new Buffer.F32("btx.dlogits", rows * E1);        // (rows, E1)
            dweights = new Buffer.F32("btx.dweights", rows * E1);      // (rows, E1)
        }
    }

    /** The recording of one layer's experts: their weights, the router's, and the routing mode. */
    private final BtxParams params;
    private final int layer, rows, C;
    private final boolean routed;
    private final Buffer.F32 balanceCoef;

    /**
     * @param skipUnrouted with a sparse router, run the experts' matmuls only on the rows routed to
     *                     them (false: every row, the unchosen weighted 0; for tests)
     */
    RoutedFfn(BtxParams params, int layer, int rows, boolean skipUnrouted, Buffer.F32 balanceCoef) {
        this.params = params;
        this.layer = layer;
        this.rows = rows;
        this.C = params.backbone().config().width();
        this.routed = skipUnrouted && params.config().sparse();
        this.balanceCoef = balanceCoef;
    }

    /** Records ln2, res2 (rows, C) → a.out (rows, C). */
    void forward(Graph g, String name, Buffer.F32 ln2, Buffer.F32 res2, Activations a) {
        BtxConfig cfg = params.config();
        int E1 = cfg.sources();
        // 7. router (stage 2): weights (rows, E1) = top-k renormalised softmax(ln2 · Wrᵀ + br)
        if (cfg.mixed()) {
            Slab r = params.router();
            g.task(name + ".router.logits", rows, Matmul::forward, a.logits, ln2, r.params(),
                    i32(r.offset("l" + layer + ".weight")), i32(r.offset("l" + layer + ".bias")), i32(C), i32(E1));
            g.task(name + ".router.softmax", rows, Gate::forward, a.weights, a.probs, a.logits, i32(E1), i32(cfg.topK()),
                    f32(1f));
            if (a.stats != null) {
                g.task(name + ".router.balance_stats", E1, Gate::balanceStats, a.stats, a.probs, i32(E1), i32(rows));
            }
        }
        // 8. each expert: y_s = GELU(ln2 · Wfcᵀ + b) · Wfc_projᵀ + b, on its routed rows only when sparse
        for (int s = 0; s < E1; s++) {
            LayerSlot w = params.mlp(s, layer);
            String e = name + ".ffn." + cfg.sourceNames().get(s);
            matmul(g, e + ".fc", w, "fc", a.fch.get(s), ln2, C, 4 * C, a.weights, s);
            g.task(e + ".gelu", rows * 4 * C, Gelu::forward, a.fchGelu.get(s), a.fch.get(s));
            matmul(g, e + ".fc_proj", w, "fc_proj", a.y.get(s), a.fchGelu.get(s), 4 * C, C, a.weights, s);
        }
        // 9. out = res2 + y (stage 1), or Σ_s w_s · y_s + res2 (stage 2)
        if (!cfg.mixed()) {
            g.task(name + ".res3", rows * C, Residual::forward, a.out, res2, a.y.get(0));
            return;
        }
        for (int s = 0; s < E1; s++) {
            g.task(name + ".mix" + s, rows, Gate::mixForward, a.out, a.y.get(s), a.weights, i32(s), i32(E1), i32(C),
                    i32(1), i32(s == 0 ? 0 : 1));
        }
        g.task(name + ".res3", rows * C, Scale::backward, a.out, res2, f32(1f));
    }

    /**
     * Records the backward pass. On entry {@code dres} holds ∂L/∂out (= ∂L/∂res2 along the
     * residual, left in place); on exit {@code dln2} holds ∂L/∂ln2 (zeroed here first).
     */
    void backward(Graph g, String name, Buffer.F32 ln2, Activations a, Buffer.F32 dres, Buffer.F32 dln2, Scratch d) {
        BtxConfig cfg = params.config();
        int E1 = cfg.sources();
        TransformerLayer.zero(g, name + ".dln2.zero", dln2);
        for (int s = 0; s < E1; s++) {
            String e = name + ".ffn." + cfg.sourceNames().get(s);
            Buffer.F32 dy = dres;
            if (cfg.mixed()) {
                // 9. out = Σ w_s y_s + res2: ∂w_s = Σ_c dres · y_s, ∂y_s = w_s · dres
                g.task(e + ".dweights", rows, Gate::mixBackwardWeights, d.dweights, dres, a.y.get(s), i32(s), i32(E1),
                        i32(C), i32(1));
                TransformerLayer.zero(g, e + ".dy.zero", d.dy);
                g.task(e + ".dy", rows, Gate::mixBackwardInput, d.dy, dres, a.weights, i32(s), i32(E1), i32(C), i32(1));
                dy = d.dy;
            }
            // 8. the expert's MLP, backwards
            LayerSlot w = params.mlp(s, layer);
            matmulBackward(g, e + ".fc_proj", w, "fc_proj", d.dfchGelu, dy, a.fchGelu.get(s), 4 * C, C, a.weights, s, true);
            g.task(e + ".gelu.backward", rows * 4 * C, Gelu::backward, d.dfch, a.fch.get(s), d.dfchGelu);
            matmulBackward(g, e + ".fc", w, "fc", dln2, d.dfch, ln2, C, 4 * C, a.weights, s, false);
        }
        if (!cfg.mixed()) {
            return;
        }
        // 7. router: ∂logits through the top-k softmax and the balance loss, then its weights and ∂ln2
        Slab r = params.router();
        TransformerLayer.zero(g, name + ".router.dlogits.zero", d.dlogits);
        g.task(name + ".router.softmax.backward", rows, Gate::backward, d.dlogits, d.dweights, a.weights, i32(E1), f32(1f));
        if (a.stats != null) {
            g.task(name + ".router.balance.backward", rows, Gate::balanceBackward, d.dlogits, a.probs, a.stats, balanceCoef,
                    i32(E1), i32(rows), f32(1f));
        }
        String wName = "l" + layer + ".weight", bName = "l" + layer + ".bias";
        if (r.trainable()) {
            g.task(name + ".router.dparams", E1, Matmul::backwardParams, r.grads(), i32(r.offset(wName)),
                    i32(r.offset(bName)), d.dlogits, ln2, i32(rows), i32(C), i32(E1));
        }
        g.task(name + ".router.dinp", rows, Matmul::backwardInput, dln2, d.dlogits, r.params(), i32(r.offset(wName)),
                i32(C), i32(E1));
    }

    /** out (rows, OC) = inp · Wᵀ + b, on source s's routed rows when sparse. */
    private void matmul(Graph g, String name, LayerSlot w, String target, Buffer.F32 out, Buffer.F32 inp, int in, int oc,
                        Buffer.F32 weights, int s) {
        Buffer.F32 p = w.slab().params();
        int wOff = w.offset(target + ".weight"), bOff = w.offset(target + ".bias");
        if (routed) {
            g.task(name, rows, RoutedMatmul::forward, out, inp, p, i32(wOff), i32(bOff), weights, i32(s),
                    i32(params.config().sources()), i32(in), i32(oc));
        } else {
            g.task(name, rows, Matmul::forward, out, inp, p, i32(wOff), i32(bOff), i32(in), i32(oc));
        }
    }

    /**
     * The weight gradient (when the expert trains) and dinp += dout · W, on routed rows when
     * sparse; {@code dinp} is zeroed first when {@code zeroFirst}.
     */
    private void matmulBackward(Graph g, String name, LayerSlot w, String target, Buffer.F32 dinp, Buffer.F32 dout,
                                Buffer.F32 inp, int in, int oc, Buffer.F32 weights, int s, boolean zeroFirst) {
        Slab slab = w.slab();
        int wOff = w.offset(target + ".weight"), bOff = w.offset(target + ".bias"), E1 = params.config().sources();
        if (slab.trainable()) {
            if (routed) {
                g.task(name + ".dparams", oc, RoutedMatmul::backwardParams, slab.grads(), i32(wOff), i32(bOff), dout, inp,
                        weights, i32(s), i32(E1), i32(rows), i32(in), i32(oc));
            } else {
                g.task(name + ".dparams", oc, Matmul::backwardParams, slab.grads(), i32(wOff), i32(bOff), dout, inp,
                        i32(rows), i32(in), i32(oc));
            }
        }
        if (zeroFirst) {
            TransformerLayer.zero(g, name + ".dinp.zero", dinp);
        }
        if (routed) {
            g.task(name + ".dinp", rows, RoutedMatmul::backwardInput, dinp, dout, slab.params(), i32(wOff), weights,
                    i32(s), i32(E1), i32(in), i32(oc));
        } else {
            g.task(name + ".dinp", rows, Matmul::backwardInput, dinp, dout, slab.params(), i32(wOff), i32(in), i32(oc));
        }
    }
}
