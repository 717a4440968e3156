package modej.model.gpt;

import java.util.ArrayList;
import java.util.List;

import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.kernel.CrossEntropy;
import modej.engine.kernel.Embedding;
import modej.engine.kernel.LayerNorm;
import modej.engine.kernel.Matmul;
import modej.model.param.Optimizer;
import modej.model.param.Slab;

/**
 * The backbone's forward (with loss) and backward graphs for one batch shape, and the buffers
 * they share. Recorded once; a training step runs forward, backward and the optimizer.
 */
public final class GptGraphs {

    public final Shape shape;
    /** Inputs: token ids (B·T) and next-token targets (B·T; −1 = ignore). */
    public final Buffer.I32 tokens, targets;
    /** Outputs per row: loss, 1/0 for a correct argmax, and the softmax (B·T, V). */
    public final Buffer.F32 losses, correct, probs, logits;
    /** 1 / (rows with a target), set by the host before backward. */
    public final Buffer.F32 lossScale;
    private final GptParams params;
    private final Buffer.F32 encoded, lnf, lnfMean, lnfRstd, dlogits, dlnf, dres;
    private final List<TransformerLayer.Activations> acts = new ArrayList<>();
    private final TransformerLayer.Scratch scratch;
    private final Graph forward, backward;

    public GptGraphs(GptParams params, int batch, int seq) {
        GptConfig c = params.config();
        if (seq > c.context()) {
            throw new IllegalArgumentException("seq " + seq + " exceeds the model's context " + c.context());
        }
        this.params = params;
        this.shape = new Shape(batch, seq, c.width(), c.heads());
        int bt = shape.rows(), C = c.width(), V = c.vocab();
        tokens = new Buffer.I32("tokens", bt);
        targets = new Buffer.I32("targets", bt);
        encoded = new Buffer.F32("encoded", bt * C);
        for (int l = 0; l < c.layers(); l++) {
            acts.add(new TransformerLayer.Activations("l" + l, shape));
        }
        lnf = new Buffer.F32("lnf", bt * C);
        lnfMean = new Buffer.F32("lnf_mean", bt);
        lnfRstd = new Buffer.F32("lnf_rstd", bt);
        logits = new Buffer.F32("logits", bt * V);
        probs = new Buffer.F32("probs", bt * V);
        losses = new Buffer.F32("losses", bt);
        correct = new Buffer.F32("correct", bt);
        lossScale = new Buffer.F32("loss_scale", 1);
        dlogits = new Buffer.F32("dlogits", bt * V);
        dlnf = new Buffer.F32("dlnf", bt * C);
        dres = new Buffer.F32("dres", bt * C);
        scratch = new TransformerLayer.Scratch("backbone", shape);
        forward = recordForward();
        backward = recordBackward();
    }

    private Graph recordForward() {
        GptConfig c = params.config();
        int bt = shape.rows(), C = c.width(), V = c.vocab();
        Slab emb = params.embeddings(), fin = params.finalNorm();
        Graph g = new Graph("forward");
        // 1. encoded = wte[tokens] + wpe[t]
        g.task("embed", Embedding.class, "forward", bt, encoded, tokens, emb.params(),
                emb.offset("wte"), emb.offset("wpe"), shape.seq(), C);
        // 2. the layers
        Buffer.F32 x = encoded;
        for (int l = 0; l < c.layers(); l++) {
            TransformerLayer.forward(g, "l" + l, params.layer(l), x, acts.get(l), shape);
            x = acts.get(l).out;
        }
        // 3. final LayerNorm
        g.task("lnf", LayerNorm.class, "forward", bt, lnf, lnfMean, lnfRstd, x, fin.params(),
                fin.offset("lnf.weight"), fin.offset("lnf.bias"), C);
        // 4. logits = lnf · headᵀ (the head is wte when tied)
        g.task("head", Matmul.class, "forward", bt, logits, lnf, headSlab().params(), headOffset(), -1, C, V);
        // 5. softmax, loss and accuracy per row
        g.task("loss", CrossEntropy.class, "forward", bt, losses, probs, correct, logits, targets, V);
        return g;
    }

    private Graph recordBackward() {
        GptConfig c = params.config();
        int bt = shape.rows(), C = c.width(), V = c.vocab();
        Slab emb = params.embeddings(), fin = params.finalNorm(), head = headSlab();
        Graph g = new Graph("backward");
        Optimizer.zeroGrads(g, params.slabs());
        // 5. ∂logits = scale·(probs − onehot)
        g.task("loss.backward", CrossEntropy.class, "backward", bt, dlogits, probs, targets, lossScale, V);
        // 4. head
        if (head.trainable()) {
            g.task("head.dparams", Matmul.class, "backwardParams", V, head.grads(), headOffset(), -1,
                    dlogits, lnf, bt, C, V);
        }
        TransformerLayer.zero(g, "dlnf.zero", dlnf);
        g.task("head.dinp", Matmul.class, "backwardInput", bt, dlnf, dlogits, head.params(), headOffset(), C, V);
        // 3. final LayerNorm: dres = LNfᵀ·dlnf
        Buffer.F32 last = acts.get(c.layers() - 1).out;
        if (fin.trainable()) {
            g.task("lnf.dparams", LayerNorm.class, "backwardParams", C, fin.grads(), fin.offset("lnf.weight"),
                    fin.offset("lnf.bias"), dlnf, last, lnfMean, lnfRstd, bt, C);
        }
        TransformerLayer.zero(g, "dres.zero", dres);
        g.task("lnf.dinp", LayerNorm.class, "backwardInput", bt, dres, dlnf, last, lnfMean, lnfRstd,
                fin.params(), fin.offset("lnf.weight"), C);
        // 2. the layers, last first; dres carries ∂L/∂(layer input) down
        for (int l = c.layers() - 1; l >= 0; l--) {
            Buffer.F32 x = l == 0 ? encoded : acts.get(l - 1).out;
            TransformerLayer.backward(g, "l" + l, params.layer(l), x, acts.get(l), dres, scratch, shape);
        }
        // 1. embeddings
        if (emb.trainable()) {
            g.task("embed.dtokens", Embedding.class, "backwardTokens", C, emb.grads(), emb.offset("wte"),
                    dres, tokens, bt, C);
            g.task("embed.dpositions", Embedding.class, "backwardPositions", shape.seq() * C, emb.grads(),
                    emb.offset("wpe"), dres, shape.batch(), shape.seq(), C);
        }
        return g;
    }

    private Slab headSlab() {
        return params.head() != null ? params.head() : params.embeddings();
    }

    private int headOffset() {
        return params.head() != null ? params.head().offset("weight") : params.embeddings().offset("wte");
    }

    public Graph forward() {
        return forward;
    }

    public Graph backward() {
        return backward;
    }

    public GptParams params() {
        return params;
    }
}
