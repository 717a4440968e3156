package modej.model.mode;

import static modej.engine.graph.Arg.f32;
import static modej.engine.graph.Arg.i32;

import java.util.ArrayList;
import java.util.List;

import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.kernel.Gate;
import modej.engine.kernel.Matmul;
import modej.engine.kernel.PrefixMean;
import modej.model.gpt.DecodeLayer;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptDecoder;
import modej.model.gpt.LayerSlot;
import modej.model.gpt.LmDecoder;
import modej.model.gpt.LmEnds;
import modej.model.param.Slab;

/**
 * A MoDE model recorded for incremental decoding: per block, the backbone's layers and every
 * expert's layers each decode the new position with their own key/value caches, and the block's
 * gate mixes their outputs. A per-token gate reads the block input's row; a per-sequence gate
 * reads the causal prefix mean of the block input (mean of x_b[0..t]), kept as running sums.
 */
public final class ModeDecoder implements LmDecoder {

    private final ModeParams params;
    private final LmEnds ends;
    private final Buffer.I32 positions;
    private final Graph step;

    public ModeDecoder(ModeParams params, int batch) {
        this.params = params;
        GptConfig c = params.backbone().config();
        int C = c.width(), NH = c.heads(), T = c.context();
        this.ends = LmEnds.decoding(params.backbone(), batch);
        this.positions = new Buffer.I32("positions", batch);                   // (B)
        this.step = new Graph("decode");
        // 1. x_0 (B,C) = wte[token] + wpe[position]
        GptDecoder.embedAt(step, ends, positions, params.backbone(), batch);
        Buffer.F32 x = ends.encoded();
        for (int b = 0; b < params.config().blocks(); b++) {
            x = block(b, x, C, NH, T);
        }
        // 3. lnf, logits and probabilities (B,V)
        ends.head(step, x);
    }

    /** 2. Block b: backbone and experts read x_b (B,C); returns x_{b+1} = Σ_s g_s · y_s. */
    private Buffer.F32 block(int b, Buffer.F32 x, int C, int NH, int T) {
        ModeConfig mc = params.config();
        GateConfig gc = mc.gate();
        int E1 = mc.sources();
        int batch = batch();
        String name = "b" + b;
        List<Buffer.F32> sources = new ArrayList<>();
        // 2a. the backbone's layers of the block
        Buffer.F32 y = x;
        for (int j = 0; j < params.layersPerBlock(); j++) {
            int l = b * params.layersPerBlock() + j;
            DecodeLayer layer = new DecodeLayer("l" + l, batch, T, C, NH, null);
            layer.forward(step, name + ".backbone.l" + j, LayerSlot.of(params.backbone().layer(l)), y, positions, batch, C, NH);
            y = layer.out();
        }
        sources.add(y);
        // 2b. each expert's layers of the block, with caches of their own
        for (String e : mc.experts()) {
            y = x;
            for (int j = 0; j < mc.layersPerExpertBlock(); j++) {
                String prefix = "e." + e + ".b" + b + ".l" + j;
                DecodeLayer layer = new DecodeLayer(prefix, batch, T, C, NH, null);
                layer.forward(step, name + ".expert." + e + ".l" + j, params.expertLayer(e, b, j), y, positions, batch, C, NH);
                y = layer.out();
            }
            sources.add(y);
        }
        // 2c. gate input: the row itself, or the prefix mean of the sequence's rows so far
        Buffer.F32 gateInput = x;
        if (gc.sequenceLevel()) {
            Buffer.F32 pooled = new Buffer.F32(name + ".gate.pooled", batch * C);      // (B,C)
            Buffer.F32 sums = new Buffer.F32(name + ".gate.prefix_sums", batch * T * C); // (B,T,C)
            step.task(name + ".gate.pool", batch * C, PrefixMean::advance, pooled, sums, x, positions, i32(T), i32(C));
            gateInput = pooled;
        }
        // 2d. weights (B,E1) = softmax(gate input · Wgᵀ + bg), top-k renormalised
        Slab gate = params.gate();
        Buffer.F32 logits = new Buffer.F32(name + ".gate.logits", batch * E1);   // (B,E1)
        Buffer.F32 probs = new Buffer.F32(name + ".gate.probs", batch * E1);     // (B,E1)
        Buffer.F32 weights = new Buffer.F32(name + ".gate.weights", batch * E1); // (B,E1)
        step.task(name + ".gate.logits", batch, Matmul::forward, logits, gateInput, gate.params(),
                i32(gate.offset(name + ".weight")), i32(gate.offset(name + ".bias")), i32(C), i32(E1));
        step.task(name + ".gate.softmax", batch, Gate::forward, weights, probs, logits, i32(E1), i32(gc.topK()),
                f32(1f / gc.temperature()));
        // 2e. x_{b+1} = Σ_s weights[s] · y_s, one gate row per sequence row
        Buffer.F32 mixed = new Buffer.F32(name + ".mixed", batch * C);            // (B,C)
        for (int s = 0; s < E1; s++) {
            step.task(name + ".gate.mix" + s, batch, Gate::mixForward, mixed, sources.get(s), weights, i32(s),
                    i32(E1), i32(C), i32(1), i32(s == 0 ? 0 : 1));
        }
        return mixed;
    }

    @Override public LmEnds ends() { return ends; }
    @Override public int context() { return params.backbone().config().context(); }
    @Override public Buffer.I32 positions() { return positions; }
    @Override public List<Graph> step() { return List.of(step); }
    @Override public List<Slab> slabs() { return params.slabs(); }
}
