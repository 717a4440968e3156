package modej.model.gpt;

import java.util.random.RandomGenerator;

import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.kernel.AdamW;
import modej.engine.kernel.Attention;
import modej.engine.kernel.Gelu;
import modej.engine.kernel.LayerNorm;
import modej.engine.kernel.Matmul;
import modej.engine.kernel.Residual;
import modej.model.param.Layout;
import modej.model.param.Slab;

/**
 * One pre-LayerNorm GPT-2 block, recorded as tasks: {@code x + Attn(LN(x))}, then
 * {@code + MLP(LN(·))}. Used for the backbone's layers and for every expert's layers.
 */
public final class TransformerLayer {

    private TransformerLayer() {
    }

    /** The slab layout of one layer of width C. */
    public static Layout layout(int C) {
        Layout l = new Layout();
        l.add("ln1.weight", false, C);
        l.add("ln1.bias", false, C);
        l.add("qkv.weight", true, 3 * C, C);
        l.add("qkv.bias", false, 3 * C);
        l.add("attn_proj.weight", true, C, C);
        l.add("attn_proj.bias", false, C);
        l.add("ln2.weight", false, C);
        l.add("ln2.bias", false, C);
        l.add("fc.weight", true, 4 * C, C);
        l.add("fc.bias", false, 4 * C);
        l.add("fc_proj.weight", true, C, 4 * C);
        l.add("fc_proj.bias", false, C);
        return l;
    }

    /** GPT-2 initialisation: N(0, 0.02) matrices, residual projections scaled by 1/√(2·layers). */
    public static void init(Slab s, RandomGenerator rnd, int totalLayers) {
        float[] p = s.params().data();
        Layout l = s.layout();
        java.util.Arrays.fill(p, 0f);
        fill(p, l.get("ln1.weight").offset(), l.get("ln1.weight").size(), 1f);
        fill(p, l.get("ln2.weight").offset(), l.get("ln2.weight").size(), 1f);
        double residualStd = 0.02 / Math.sqrt(2.0 * totalLayers);
        gaussian(p, l.get("qkv.weight").offset(), l.get("qkv.weight").size(), 0.02, rnd);
        gaussian(p, l.get("attn_proj.weight").offset(), l.get("attn_proj.weight").size(), residualStd, rnd);
        gaussian(p, l.get("fc.weight").offset(), l.get("fc.weight").size(), 0.02, rnd);
        gaussian(p, l.get("fc_proj.weight").offset(), l.get("fc_proj.weight").size(), residualStd, rnd);
    }

    static void fill(float[] p, int from, int n, float value) {
        java.util.Arrays.fill(p, from, from + n, value);
    }

    static void gaussian(float[] p, int from, int n, double std, RandomGenerator rnd) {
        for (int i = 0; i < n; i++) {
            p[from + i] = (float) (rnd.nextGaussian() * std);
        }
    }

    /** What forward saves for backward, for one layer and one shape. {@code out} is the layer's output. */
    public static final class Activations {
        final Buffer.F32 ln1, ln1Mean, ln1Rstd, qkv, atty, att, attProj, res2, ln2, ln2Mean, ln2Rstd, fch, fchGelu, fcProj;
        public final Buffer.F32 out;

        public Activations(String prefix, Shape s) {
            int bt = s.rows(), C = s.width();
            ln1 = new Buffer.F32(prefix + ".ln1", bt * C);
            ln1Mean = new Buffer.F32(prefix + ".ln1_mean", bt);
            ln1Rstd = new Buffer.F32(prefix + ".ln1_rstd", bt);
            qkv = new Buffer.F32(prefix + ".qkv", bt * 3 * C);
            atty = new Buffer.F32(prefix + ".atty", bt * C);
            att = new Buffer.F32(prefix + ".att", s.batch() * s.heads() * s.seq() * s.seq());
            attProj = new Buffer.F32(prefix + ".attn_proj", bt * C);
            res2 = new Buffer.F32(prefix + ".res2", bt * C);
            ln2 = new Buffer.F32(prefix + ".ln2", bt * C);
            ln2Mean = new Buffer.F32(prefix + ".ln2_mean", bt);
            ln2Rstd = new Buffer.F32(prefix + ".ln2_rstd", bt);
            fch = new Buffer.F32(prefix + ".fch", bt * 4 * C);
            fchGelu = new Buffer.F32(prefix + ".fch_gelu", bt * 4 * C);
            fcProj = new Buffer.F32(prefix + ".fc_proj", bt * C);
            out = new Buffer.F32(prefix + ".out", bt * C);
        }
    }

    /** Gradient scratch, reused by every layer whose backward runs on the same device in turn. */
    public static final class Scratch {
        final Buffer.F32 dfchGelu, dfch, dln2, datty, dpreatt, dqkv, dln1;

        public Scratch(String prefix, Shape s) {
            int bt = s.rows(), C = s.width();
            dfchGelu = new Buffer.F32(prefix + ".dfch_gelu", bt * 4 * C);
            dfch = new Buffer.F32(prefix + ".dfch", bt * 4 * C);
            dln2 = new Buffer.F32(prefix + ".dln2", bt * C);
            datty = new Buffer.F32(prefix + ".datty", bt * C);
            dpreatt = new Buffer.F32(prefix + ".dpreatt", s.batch() * s.heads() * s.seq() * s.seq());
            dqkv = new Buffer.F32(prefix + ".dqkv", bt * 3 * C);
            dln1 = new Buffer.F32(prefix + ".dln1", bt * C);
        }
    }

    /** Records x (B,T,C) → a.out (B,T,C). Task names start with {@code prefix}. */
    public static void forward(Graph g, String prefix, Slab p, Buffer.F32 x, Activations a, Shape s) {
        int bt = s.rows(), C = s.width(), NH = s.heads(), T = s.seq();
        // 1. ln1 = LayerNorm(x)
        g.task(prefix + ".ln1", LayerNorm.class, "forward", bt, a.ln1, a.ln1Mean, a.ln1Rstd, x, p.params(),
                p.offset("ln1.weight"), p.offset("ln1.bias"), C);
        // 2. qkv = ln1 · Wqkvᵀ + b
        g.task(prefix + ".qkv", Matmul.class, "forward", bt, a.qkv, a.ln1, p.params(),
                p.offset("qkv.weight"), p.offset("qkv.bias"), C, 3 * C);
        // 3. atty = causal softmax(q·kᵀ/√hs)·v per head
        g.task(prefix + ".attn", Attention.class, "forward", s.batch() * NH * T, a.atty, a.att, a.qkv, T, C, NH);
        // 4. attn_proj = atty · Wprojᵀ + b
        g.task(prefix + ".attn_proj", Matmul.class, "forward", bt, a.attProj, a.atty, p.params(),
                p.offset("attn_proj.weight"), p.offset("attn_proj.bias"), C, C);
        // 5. res2 = x + attn_proj
        g.task(prefix + ".res2", Residual.class, "forward", bt * C, a.res2, x, a.attProj);
        // 6. ln2 = LayerNorm(res2)
        g.task(prefix + ".ln2", LayerNorm.class, "forward", bt, a.ln2, a.ln2Mean, a.ln2Rstd, a.res2, p.params(),
                p.offset("ln2.weight"), p.offset("ln2.bias"), C);
        // 7. fch = ln2 · Wfcᵀ + b   (B,T,4C)
        g.task(prefix + ".fc", Matmul.class, "forward", bt, a.fch, a.ln2, p.params(),
                p.offset("fc.weight"), p.offset("fc.bias"), C, 4 * C);
        // 8. fch_gelu = GELU(fch)
        g.task(prefix + ".gelu", Gelu.class, "forward", bt * 4 * C, a.fchGelu, a.fch);
        // 9. fc_proj = fch_gelu · Wfcprojᵀ + b
        g.task(prefix + ".fc_proj", Matmul.class, "forward", bt, a.fcProj, a.fchGelu, p.params(),
                p.offset("fc_proj.weight"), p.offset("fc_proj.bias"), 4 * C, C);
        // 10. out = res2 + fc_proj
        g.task(prefix + ".res3", Residual.class, "forward", bt * C, a.out, a.res2, a.fcProj);
    }

    /**
     * Records the backward pass. On entry {@code dres} holds ∂L/∂out; on exit it holds ∂L/∂x (the
     * residual stream's gradient flows through in place, as in llm.c). Parameter gradients are
     * accumulated only when the slab is trainable; input gradients always flow.
     */
    public static void backward(Graph g, String prefix, Slab p, Buffer.F32 x, Activations a, Buffer.F32 dres,
                                Scratch d, Shape s) {
        int bt = s.rows(), C = s.width(), NH = s.heads(), T = s.seq();
        boolean train = p.trainable();
        // out = res2 + fc_proj: ∂fc_proj = dres, ∂res2 = dres (dres is kept and accumulated into)
        // 9. fc_proj
        if (train) {
            g.task(prefix + ".fc_proj.dparams", Matmul.class, "backwardParams", C, p.grads(),
                    p.offset("fc_proj.weight"), p.offset("fc_proj.bias"), dres, a.fchGelu, bt, 4 * C, C);
        }
        zero(g, prefix + ".dfch_gelu.zero", d.dfchGelu);
        g.task(prefix + ".fc_proj.dinp", Matmul.class, "backwardInput", bt, d.dfchGelu, dres, p.params(),
                p.offset("fc_proj.weight"), 4 * C, C);
        // 8. GELU
        zero(g, prefix + ".dfch.zero", d.dfch);
        g.task(prefix + ".gelu.backward", Gelu.class, "backward", bt * 4 * C, d.dfch, a.fch, d.dfchGelu);
        // 7. fc
        if (train) {
            g.task(prefix + ".fc.dparams", Matmul.class, "backwardParams", 4 * C, p.grads(),
                    p.offset("fc.weight"), p.offset("fc.bias"), d.dfch, a.ln2, bt, C, 4 * C);
        }
        zero(g, prefix + ".dln2.zero", d.dln2);
        g.task(prefix + ".fc.dinp", Matmul.class, "backwardInput", bt, d.dln2, d.dfch, p.params(),
                p.offset("fc.weight"), C, 4 * C);
        // 6. ln2: dres (= ∂res2) += LN2ᵀ·dln2
        if (train) {
            g.task(prefix + ".ln2.dparams", LayerNorm.class, "backwardParams", C, p.grads(),
                    p.offset("ln2.weight"), p.offset("ln2.bias"), d.dln2, a.res2, a.ln2Mean, a.ln2Rstd, bt, C);
        }
        g.task(prefix + ".ln2.dinp", LayerNorm.class, "backwardInput", bt, dres, d.dln2, a.res2, a.ln2Mean,
                a.ln2Rstd, p.params(), p.offset("ln2.weight"), C);
        // 5. res2 = x + attn_proj: ∂attn_proj = dres, ∂x = dres (kept in place)
        // 4. attn_proj
        if (train) {
            g.task(prefix + ".attn_proj.dparams", Matmul.class, "backwardParams", C, p.grads(),
                    p.offset("attn_proj.weight"), p.offset("attn_proj.bias"), dres, a.atty, bt, C, C);
        }
        zero(g, prefix + ".datty.zero", d.datty);
        g.task(prefix + ".attn_proj.dinp", Matmul.class, "backwardInput", bt, d.datty, dres, p.params(),
                p.offset("attn_proj.weight"), C, C);
        // 3. attention
        int rows = s.batch() * NH * T;
        g.task(prefix + ".attn.dscores", Attention.class, "backwardScores", rows, d.dpreatt, d.datty, a.att, a.qkv, T, C, NH);
        zero(g, prefix + ".dqkv.zero", d.dqkv);
        g.task(prefix + ".attn.dinp", Attention.class, "backwardInput", rows, d.dqkv, d.dpreatt, a.att, a.qkv, d.datty, T, C, NH);
        // 2. qkv
        if (train) {
            g.task(prefix + ".qkv.dparams", Matmul.class, "backwardParams", 3 * C, p.grads(),
                    p.offset("qkv.weight"), p.offset("qkv.bias"), d.dqkv, a.ln1, bt, C, 3 * C);
        }
        zero(g, prefix + ".dln1.zero", d.dln1);
        g.task(prefix + ".qkv.dinp", Matmul.class, "backwardInput", bt, d.dln1, d.dqkv, p.params(),
                p.offset("qkv.weight"), C, 3 * C);
        // 1. ln1: dres (= ∂x) += LN1ᵀ·dln1
        if (train) {
            g.task(prefix + ".ln1.dparams", LayerNorm.class, "backwardParams", C, p.grads(),
                    p.offset("ln1.weight"), p.offset("ln1.bias"), d.dln1, x, a.ln1Mean, a.ln1Rstd, bt, C);
        }
        g.task(prefix + ".ln1.dinp", LayerNorm.class, "backwardInput", bt, dres, d.dln1, x, a.ln1Mean, a.ln1Rstd,
                p.params(), p.offset("ln1.weight"), C);
    }

    /** Records {@code b = 0}. */
    public static void zero(Graph g, String name, Buffer.F32 b) {
        g.task(name, AdamW.class, "zeroGrad", b.length(), b, 0);
    }
}
