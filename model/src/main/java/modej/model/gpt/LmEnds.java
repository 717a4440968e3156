package modej.model.gpt;

import static modej.engine.graph.Arg.i32;

import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.kernel.CrossEntropy;
import modej.engine.kernel.Embedding;
import modej.engine.kernel.LayerNorm;
import modej.engine.kernel.Matmul;
import modej.model.param.Slab;

/**
 * The two ends every language model here shares: token + position embedding at the bottom, final
 * LayerNorm, LM head and cross-entropy at the top, with their buffers.
 */
public final class LmEnds {

    final Shape shape;
    final Buffer.I32 tokens, targets;
    final Buffer.F32 encoded, lnf, lnfMean, lnfRstd, logits, probs, losses, correct, lossScale, dlogits, dlnf;
    private final GptParams params;

    public LmEnds(GptParams params, Shape shape) {
        this.params = params;
        this.shape = shape;
        int bt = shape.rows(), C = shape.width(), V = params.config().vocab();
        tokens = new Buffer.I32("tokens", bt);             // (B,T)
        targets = new Buffer.I32("targets", bt);           // (B,T)
        encoded = new Buffer.F32("encoded", bt * C);       // (B,T,C)
        lnf = new Buffer.F32("lnf", bt * C);               // (B,T,C)
        lnfMean = new Buffer.F32("lnf_mean", bt);          // (B,T)
        lnfRstd = new Buffer.F32("lnf_rstd", bt);          // (B,T)
        logits = new Buffer.F32("logits", bt * V);         // (B,T,V)
        probs = new Buffer.F32("probs", bt * V);           // (B,T,V)
        losses = new Buffer.F32("losses", bt);             // (B,T)
        correct = new Buffer.F32("correct", bt);           // (B,T)
        lossScale = new Buffer.F32("loss_scale", 1);
        dlogits = new Buffer.F32("dlogits", bt * V);       // (B,T,V)
        dlnf = new Buffer.F32("dlnf", bt * C);             // (B,T,C)
    }

    /**
     * The ends of a decoder: one row per sequence (B, 1), targets all −1 (the head's loss is not
     * wanted, only its logits and probabilities).
     */
    public static LmEnds decoding(GptParams params, int batch) {
        GptConfig c = params.config();
        LmEnds ends = new LmEnds(params, new Shape(batch, 1, c.width(), c.heads()));
        java.util.Arrays.fill(ends.targets.data(), -1);
        return ends;
    }

    /** encoded = wte[tokens] + wpe[t]. */
    public void embed(Graph g) {
        Slab emb = params.embeddings();
        g.task("embed", shape.rows(), Embedding::forward, encoded, tokens, emb.params(),
                i32(emb.offset("wte")), i32(emb.offset("wpe")), i32(shape.seq()), i32(shape.width()));
    }

    /** lnf = LN(last); logits = lnf·headᵀ; per-row softmax, loss and accuracy. */
    public void head(Graph g, Buffer.F32 last) {
        int bt = shape.rows(), C = shape.width(), V = params.config().vocab();
        Slab fin = params.finalNorm();
        g.task("lnf", bt, LayerNorm::forward, lnf, lnfMean, lnfRstd, last, fin.params(),
                i32(fin.offset("lnf.weight")), i32(fin.offset("lnf.bias")), i32(C));
        g.task("head", bt, Matmul::forward, logits, lnf, headSlab().params(), i32(headOffset()), i32(-1), i32(C),
                i32(V));
        g.task("loss", bt, CrossEntropy::forward, losses, probs, correct, logits, targets, i32(V));
    }

    /** Backward from the loss to {@code dres} = ∂L/∂last (dres is overwritten). */
    public void headBackward(Graph g, Buffer.F32 last, Buffer.F32 dres) {
        int bt = shape.rows(), C = shape.width(), V = params.config().vocab();
        Slab fin = params.finalNorm(), head = headSlab();
        g.task("loss.backward", bt, CrossEntropy::backward, dlogits, probs, targets, lossScale, i32(V));
        if (head.trainable()) {
            g.task("head.dparams", V, Matmul::backwardParams, head.grads(), i32(headOffset()), i32(-1), dlogits, lnf,
                    i32(bt), i32(C), i32(V));
        }
        TransformerLayer.zero(g, "dlnf.zero", dlnf);
        g.task("head.dinp", bt, Matmul::backwardInput, dlnf, dlogits, head.params(), i32(headOffset()), i32(C), i32(V));
        if (fin.trainable()) {
            g.task("lnf.dparams", C, LayerNorm::backwardParams, fin.grads(), i32(fin.offset("lnf.weight")),
                    i32(fin.offset("lnf.bias")), dlnf, last, lnfMean, lnfRstd, i32(bt), i32(C));
        }
        TransformerLayer.zero(g, "dres.zero", dres);
        g.task("lnf.dinp", bt, LayerNorm::backwardInput, dres, dlnf, last, lnfMean, lnfRstd,
                fin.params(), i32(fin.offset("lnf.weight")), i32(C));
    }

    /** Embedding gradients from dres = ∂L/∂encoded, when the embeddings are trainable. */
    public void embedBackward(Graph g, Buffer.F32 dres) {
        Slab emb = params.embeddings();
        if (emb.trainable()) {
            int C = shape.width();
            g.task("embed.dtokens", C, Embedding::backwardTokens, emb.grads(), i32(emb.offset("wte")),
                    dres, tokens, i32(shape.rows()), i32(C));
            g.task("embed.dpositions", shape.seq() * C, Embedding::backwardPositions, emb.grads(),
                    i32(emb.offset("wpe")), dres, i32(shape.batch()), i32(shape.seq()), i32(C));
        }
    }

    public Buffer.I32 tokens() { return tokens; }
    public Buffer.I32 targets() { return targets; }
    public Buffer.F32 encoded() { return encoded; }
    public Buffer.F32 losses() { return losses; }
    public Buffer.F32 correct() { return correct; }
    public Buffer.F32 probs() { return probs; }
    public Buffer.F32 logits() { return logits; }
    public Buffer.F32 lossScale() { return lossScale; }

    private Slab headSlab() {
        return params.head() != null ? params.head() : params.embeddings();
    }

    private int headOffset() {
        return params.head() != null ? params.head().offset("weight") : params.embeddings().offset("wte");
    }
}
