package modej.model.mode;

import static modej.engine.graph.Arg.f32;
import static modej.engine.graph.Arg.i32;

import java.util.ArrayList;
import java.util.List;

import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.kernel.Gate;
import modej.engine.kernel.LayerNorm;
import modej.engine.kernel.Matmul;
import modej.engine.kernel.Scale;
import modej.model.gpt.LayerSlot;
import modej.model.gpt.LmEnds;
import modej.model.method.RoutedGraphs;
import modej.model.gpt.Shape;
import modej.model.gpt.TransformerLayer;
import modej.model.param.Optimizer;
import modej.model.param.Slab;

/**
 * A MoDE model recorded as task graphs. Per block b: one graph for the backbone's layers, one per
 * expert (its k layers), both reading the block input x_b; then the gate graph mixes their outputs
 * into x_{b+1}. Backward mirrors it: gate, then backbone and experts (independent of each other),
 * then a join that sums their input gradients. Separate graphs, so that backbone and experts can be
 * placed on different devices and run at the same time.
 */
public final class ModeGraphs implements RoutedGraphs {

    private final ModeParams params;
    private final LmEnds ends;
    private final Shape shape;
    private final List<Block> blocks = new ArrayList<>();
    private final Buffer.F32 dres;
    private final Buffer.F32 balanceCoef = new Buffer.F32("gate.balance_coef", 1);
    // the normalised gate's LayerNorm weight (C) = 1 and bias (C) = 0, constant: no affine parameters
    private final Buffer.F32 unitNorm;
    // Backward scratch and each source's input gradient, shared by all blocks: blocks run their
    // backward one after another, while a block's backbone and experts (which may run at once
    // under MPMD) each have their own.
    private final TransformerLayer.Scratch backboneScratch;
    private final List<TransformerLayer.Scratch> expertScratch = new ArrayList<>();
    private final List<Buffer.F32> dsource = new ArrayList<>();
    private final List<List<Graph>> forward = new ArrayList<>(), backward = new ArrayList<>();

    /** One block's buffers. */
    private final class Block {
        final int index;
        final Buffer.F32 input;
        final List<TransformerLayer.Activations> backbone = new ArrayList<>();
        final List<List<TransformerLayer.Activations>> experts = new ArrayList<>();
        final Buffer.F32 pooled, dpooled, normed, normMean, normRstd, dnormed;
        final Buffer.F32 logits, probs, weights, stats, dlogits, dweights, mixed;

        Block(int b, Buffer.F32 input) {
            this.index = b;
            this.input = input;
            int bt = shape.rows(), C = shape.width(), E1 = params.config().sources();
            for (int j = 0; j < params.layersPerBlock(); j++) {
                int l = b * params.layersPerBlock() + j;
                backbone.add(new TransformerLayer.Activations("l" + l, shape));
            }
            for (String e : params.config().experts()) {
                List<TransformerLayer.Activations> acts = new ArrayList<>();
                for (int j = 0; j < params.config().layersPerExpertBlock(); j++) {
                    acts.add(new TransformerLayer.Activations("e." + e + ".b" + b + ".l" + j, shape));
                }
                experts.add(acts);
            }
            boolean seqLevel = params.config().gate().sequenceLevel();
            pooled = seqLevel ? new Buffer.F32("b" + b + ".gate.pooled", bt * C) : null;      // (B,T,C) prefix means
            dpooled = seqLevel ? new Buffer.F32("b" + b + ".gate.dpooled", bt * C) : null;    // (B,T,C)
            boolean norm = params.config().gate().normalize();
            normed = norm ? new Buffer.F32("b" + b + ".gate.normed", bt * C) : null;          // (B,T,C)
            normMean = norm ? new Buffer.F32("b" + b + ".gate.norm_mean", bt) : null;         // (B·T)
            normRstd = norm ? new Buffer.F32("b" + b + ".gate.norm_rstd", bt) : null;         // (B·T)
            dnormed = norm ? new Buffer.F32("b" + b + ".gate.dnormed", bt * C) : null;        // (B,T,C)
            logits = new Buffer.F32("b" + b + ".gate.logits", bt * E1);     // (B·T, E1)
            probs = new Buffer.F32("b" + b + ".gate.probs", bt * E1);       // (B·T, E1)
            weights = new Buffer.F32("b" + b + ".gate.weights", bt * E1);   // (B·T, E1)
            stats = new Buffer.F32("b" + b + ".gate.stats", 2 * E1);        // (2, E1): top-1 fraction, mean prob
            dlogits = new Buffer.F32("b" + b + ".gate.dlogits", bt * E1);
            dweights = new Buffer.F32("b" + b + ".gate.dweights", bt * E1);
            mixed = new Buffer.F32("b" + b + ".mixed", bt * C);               // (B,T,C) = x_{b+1}
        }

        /** The output of source s: the backbone block's last layer, or expert s-1's last layer. */
        Buffer.F32 source(int s) {
            List<TransformerLayer.Activations> acts = s == 0 ? backbone : experts.get(s - 1);
            return acts.get(acts.size() - 1).out;
        }

        /** What the gate normalises, or reads as it is: the block input or its prefix means. */
        Buffer.F32 gateSource() {
            return pooled != null ? pooled : input;
        }

        /** What the gate's logits read: the gate source, normalised when the gate normalises. */
        Buffer.F32 gateInput() {
            return normed != null ? normed : gateSource();
        }
    }

    public ModeGraphs(ModeParams params, int batch, int seq) {
        this.params = params;
        var c = params.backbone().config();
        if (seq > c.context()) {
            throw new IllegalArgumentException("seq " + seq + " exceeds the model's context " + c.context());
        }
        this.shape = new Shape(batch, seq, c.width(), c.heads());
        this.ends = new LmEnds(params.backbone(), shape);
        this.dres = new Buffer.F32("dres", shape.rows() * c.width());
        balanceCoef.data()[0] = params.config().gate().balanceCoef();
        if (params.config().gate().normalize()) {
            unitNorm = new Buffer.F32("gate.norm_unit", 2 * c.width());
            java.util.Arrays.fill(unitNorm.data(), 0, c.width(), 1f);
        } else {
            unitNorm = null;
        }
        this.backboneScratch = new TransformerLayer.Scratch("backbone", shape);
        for (String e : params.config().experts()) {
            expertScratch.add(new TransformerLayer.Scratch("expert." + e, shape));
        }
        for (int s = 0; s < params.config().sources(); s++) {
            dsource.add(new Buffer.F32("dsource" + s, shape.rows() * c.width()));   // (B,T,C)
        }
        Buffer.F32 x = ends.encoded();
        for (int b = 0; b < params.config().blocks(); b++) {
            Block block = new Block(b, x);
            blocks.add(block);
            x = block.mixed;
        }
        record();
    }

    private void record() {
        Graph embed = new Graph("embed");
        ends.embed(embed);
        forward.add(List.of(embed));
        for (Block b : blocks) {
            // the backbone's block and every expert read x_b: one stage, free to run at once
            List<Graph> parallel = new ArrayList<>();
            parallel.add(blockForward(b, "backbone", b.backbone, -1));
            for (int e = 0; e < b.experts.size(); e++) {
                parallel.add(blockForward(b, "expert." + params.config().experts().get(e), b.experts.get(e), e));
            }
            forward.add(parallel);
            forward.add(List.of(gateForward(b)));
        }
        Graph head = new Graph("head");
        ends.head(head, blocks.get(blocks.size() - 1).mixed);
        forward.add(List.of(head));

        Graph headBackward = new Graph("head.backward");
        Optimizer.zeroGrads(headBackward, slabs());
        ends.headBackward(headBackward, blocks.get(blocks.size() - 1).mixed, dres);
        backward.add(List.of(headBackward));
        for (int i = blocks.size() - 1; i >= 0; i--) {
            Block b = blocks.get(i);
            backward.add(List.of(gateBackward(b)));
            List<Graph> parallel = new ArrayList<>();
            boolean backboneBackward = b.index > 0 || backboneBelowTrainable();
            if (backboneBackward) {
                parallel.add(blockBackward(b, "backbone", b.backbone, backboneScratch, -1));
            }
            for (int e = 0; e < b.experts.size(); e++) {
                parallel.add(blockBackward(b, "expert." + params.config().experts().get(e), b.experts.get(e),
                        expertScratch.get(e), e));
            }
            backward.add(parallel);
            backward.add(List.of(join(b, backboneBackward)));
        }
        Graph embedBackward = new Graph("embed.backward");
        ends.embedBackward(embedBackward, dres);
        backward.add(List.of(embedBackward));
    }

    /**
     * Whether ∂L/∂x_0 is needed: only to train the embeddings or the first block's backbone layers.
     * With a frozen backbone (MoDE's case) the first block's backbone backward is skipped.
     */
    private boolean backboneBelowTrainable() {
        boolean any = params.backbone().embeddings().trainable();
        for (int j = 0; j < params.layersPerBlock(); j++) {
            any |= params.backbone().layer(j).trainable();
        }
        return any;
    }

    /** The weights of layer j of the backbone block (expert < 0) or of an expert's block. */
    private LayerSlot slot(Block b, int expert, int j) {
        return expert < 0 ? LayerSlot.of(params.backbone().layer(b.index * params.layersPerBlock() + j))
                : params.expertLayer(params.config().experts().get(expert), b.index, j);
    }

    private Graph blockForward(Block b, String module, List<TransformerLayer.Activations> acts, int expert) {
        Graph g = new Graph("b" + b.index + "." + module);
        Buffer.F32 x = b.input;
        for (int j = 0; j < acts.size(); j++) {
            TransformerLayer.forward(g, g.name() + ".l" + j, slot(b, expert, j), x, acts.get(j), shape);
            x = acts.get(j).out;
        }
        return g;
    }

    /**
     * The gate's dimensions, named so that the kernels' int arguments cannot be swapped unseen:
     * {@code sources} = E1 (backbone + experts), {@code width} = C, {@code gateRows} decisions
     * (B·T in every gate mode: the sequence gate decides per token too, from the prefix mean) of
     * {@code rowsPerGate} token rows each (1).
     */
    private record GateShape(int sources, int width, int gateRows, int rowsPerGate) {
    }

    private GateShape gateShape() {
        return new GateShape(params.config().sources(), shape.width(), shape.rows(), rowsPerGate());
    }

    private Graph gateForward(Block b) {
        GateConfig gc = params.config().gate();
        GateShape gs = gateShape();
        Slab gate = params.gate();
        String w = "b" + b.index + ".weight", bias = "b" + b.index + ".bias";
        Graph g = new Graph("b" + b.index + ".gate");
        if (gc.sequenceLevel()) {
            // the sequence gate reads at token t the mean of x_b over tokens 0..t: causal
            g.task(g.name() + ".pool", shape.batch() * gs.width(), Gate::prefixMean, b.pooled, b.input,
                    i32(shape.seq()), i32(gs.width()));
        }
        if (gc.normalize()) {
            // normed = (source − mean) · rstd per token: the logits see no residual-stream scale
            g.task(g.name() + ".norm", gs.gateRows(), LayerNorm::forward, b.normed, b.normMean, b.normRstd,
                    b.gateSource(), unitNorm, i32(0), i32(gs.width()), i32(gs.width()));
        }
        // logits (B·T, E1) = gate input · Wgᵀ + bg; weights = softmax(logits / τ), top-k renormalised
        g.task(g.name() + ".logits", gs.gateRows(), Matmul::forward, b.logits, b.gateInput(), gate.params(),
                i32(gate.offset(w)), i32(gate.offset(bias)), i32(gs.width()), i32(gs.sources()));
        g.task(g.name() + ".softmax", gs.gateRows(), Gate::forward, b.weights, b.probs, b.logits, i32(gs.sources()),
                i32(gc.topK()), f32(1f / gc.temperature()));
        if (gc.balanceCoef() > 0) {
            g.task(g.name() + ".balance_stats", gs.sources(), Gate::balanceStats, b.stats, b.probs, i32(gs.sources()),
                    i32(gs.gateRows()));
        }
        // x_{b+1} = Σ_s weights[s] · y_s (source 0 writes, the others accumulate)
        for (int s = 0; s < gs.sources(); s++) {
            g.task(g.name() + ".mix" + s, shape.rows(), Gate::mixForward, b.mixed, b.source(s), b.weights, i32(s),
                    i32(gs.sources()), i32(gs.width()), i32(gs.rowsPerGate()), i32(s == 0 ? 0 : 1));
        }
        return g;
    }

    private Graph gateBackward(Block b) {
        GateConfig gc = params.config().gate();
        GateShape gs = gateShape();
        Slab gate = params.gate();
        String w = "b" + b.index + ".weight", bias = "b" + b.index + ".bias";
        Graph g = new Graph("b" + b.index + ".gate.backward");
        // dres holds ∂L/∂x_{b+1}: ∂weights and each source's ∂y_s
        for (int s = 0; s < gs.sources(); s++) {
            g.task(g.name() + ".dweights" + s, gs.gateRows(), Gate::mixBackwardWeights, b.dweights, dres, b.source(s),
                    i32(s), i32(gs.sources()), i32(gs.width()), i32(gs.rowsPerGate()));
            TransformerLayer.zero(g, g.name() + ".dsource" + s + ".zero", dsource.get(s));
            g.task(g.name() + ".dsource" + s, shape.rows(), Gate::mixBackwardInput, dsource.get(s), dres, b.weights,
                    i32(s), i32(gs.sources()), i32(gs.width()), i32(gs.rowsPerGate()));
        }
        TransformerLayer.zero(g, g.name() + ".dlogits.zero", b.dlogits);
        g.task(g.name() + ".softmax.backward", gs.gateRows(), Gate::backward, b.dlogits, b.dweights, b.weights,
                i32(gs.sources()), f32(1f / gc.temperature()));
        if (gc.balanceCoef() > 0) {
            g.task(g.name() + ".balance.backward", gs.gateRows(), Gate::balanceBackward, b.dlogits, b.probs, b.stats,
                    balanceCoef, i32(gs.sources()), i32(gs.gateRows()), f32(1f / gc.temperature()));
        }
        if (gate.trainable()) {
            g.task(g.name() + ".logits.dparams", gs.sources(), Matmul::backwardParams, gate.grads(),
                    i32(gate.offset(w)), i32(gate.offset(bias)), b.dlogits, b.gateInput(), i32(gs.gateRows()),
                    i32(gs.width()), i32(gs.sources()));
        }
        // dres becomes ∂L/∂x_b: first the gate's own path (logits ← norm ← prefix mean, as far as
        // the gate has them), the join adds the sources' later
        TransformerLayer.zero(g, g.name() + ".dres.zero", dres);
        Buffer.F32 dsourceOfGate = gc.sequenceLevel() ? b.dpooled : dres;   // ∂L/∂(gate source)
        if (gc.sequenceLevel()) {
            TransformerLayer.zero(g, g.name() + ".dpooled.zero", b.dpooled);
        }
        if (gc.normalize()) {
            TransformerLayer.zero(g, g.name() + ".dnormed.zero", b.dnormed);
            g.task(g.name() + ".logits.dinp", gs.gateRows(), Matmul::backwardInput, b.dnormed, b.dlogits,
                    gate.params(), i32(gate.offset(w)), i32(gs.width()), i32(gs.sources()));
            g.task(g.name() + ".norm.backward", gs.gateRows(), LayerNorm::backwardInput, dsourceOfGate, b.dnormed,
                    b.gateSource(), b.normMean, b.normRstd, unitNorm, i32(0), i32(gs.width()));
        } else {
            g.task(g.name() + ".logits.dinp", gs.gateRows(), Matmul::backwardInput, dsourceOfGate, b.dlogits,
                    gate.params(), i32(gate.offset(w)), i32(gs.width()), i32(gs.sources()));
        }
        if (gc.sequenceLevel()) {
            g.task(g.name() + ".pool.backward", shape.batch() * gs.width(), Gate::prefixMeanBackward, dres, b.dpooled,
                    i32(shape.seq()), i32(gs.width()));
        }
        return g;
    }

    private Graph blockBackward(Block b, String module, List<TransformerLayer.Activations> acts,
                                TransformerLayer.Scratch scratch, int expert) {
        Graph g = new Graph("b" + b.index + "." + module + ".backward");
        Buffer.F32 d = dsource.get(expert + 1);
        for (int j = acts.size() - 1; j >= 0; j--) {
            Buffer.F32 x = j == 0 ? b.input : acts.get(j - 1).out;
            TransformerLayer.backward(g, "b" + b.index + "." + module + ".l" + j, slot(b, expert, j), x, acts.get(j),
                    d, scratch, shape);
        }
        return g;
    }

    /** dres (∂L/∂x_b) += each source's input gradient (the backbone's only if it was propagated). */
    private Graph join(Block b, boolean withBackbone) {
        Graph g = new Graph("b" + b.index + ".join.backward");
        for (int s = withBackbone ? 0 : 1; s < dsource.size(); s++) {
            g.task(g.name() + ".add" + s, shape.rows() * shape.width(), Scale::backward, dres, dsource.get(s),
                    f32(1f));
        }
        return g;
    }

    /** The gate's mixing weights of block b after the last forward: (B·T, sources), one row per token. */
    public Buffer.F32 gateWeights(int block) {
        return blocks.get(block).weights;
    }

    /**
     * Rows per gate decision: 1 in every gate mode. The sequence gate decides per token too, from
     * the mean of the sequence up to that token (a decision per whole sequence would read the
     * future).
     */
    public int rowsPerGate() {
        return 1;
    }

    public ModeParams params() {
        return params;
    }

    @Override public int routers() { return blocks.size(); }
    @Override public Buffer.F32 routerWeights(int block) { return gateWeights(block); }
    @Override public int rowsPerDecision() { return rowsPerGate(); }

    /** {@code backbone}, then the experts in gate order. */
    @Override
    public List<String> sourceNames() {
        List<String> names = new ArrayList<>();
        names.add("backbone");
        names.addAll(params.config().experts());
        return List.copyOf(names);
    }

    @Override public Shape shape() { return shape; }
    @Override public LmEnds ends() { return ends; }
    @Override public List<Graph> forward() { return forward.stream().flatMap(List::stream).toList(); }
    @Override public List<Graph> backward() { return backward.stream().flatMap(List::stream).toList(); }
    @Override public List<List<Graph>> forwardStages() { return List.copyOf(forward); }
    @Override public List<List<Graph>> backwardStages() { return List.copyOf(backward); }
    @Override public List<Slab> slabs() { return params.slabs(); }
}
