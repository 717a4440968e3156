package modej.model.gpt;

import modej.model.lora.LoraSlot;
import static modej.engine.graph.Arg.i32;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.kernel.AdamW;
import modej.engine.kernel.Attention;
import modej.engine.kernel.Gelu;
import modej.engine.kernel.LayerNorm;
import modej.engine.kernel.Residual;
import modej.model.param.Layout;
import modej.model.param.Slab;
import modej.model.param.Slice;

/**
 * One pre-LayerNorm GPT-2 block, recorded as tasks: {@code x + Attn(LN(x))}, then
 * {@code + MLP(LN(·))}. Used for the backbone's layers and for every expert's layers.
 */
public final class TransformerLayer {

    private TransformerLayer() {
    }

    /** The names of one layer's slices, in slab order. */
    public static final List<String> SLICES = List.of("ln1.weight", "ln1.bias", "qkv.weight", "qkv.bias",
            "attn_proj.weight", "attn_proj.bias", "ln2.weight", "ln2.bias", "fc.weight", "fc.bias",
            "fc_proj.weight", "fc_proj.bias");

    /** The slab layout of one layer of width C. */
    public static Layout layout(int C) {
        Layout l = new Layout();
        layout(l, "", C);
        return l;
    }

    /** Appends one layer's slices, names prefixed with {@code prefix}. */
    public static void layout(Layout l, String prefix, int C) {
        l.add(prefix + "ln1.weight", false, C);                 // (C)
        l.add(prefix + "ln1.bias", false, C);                   // (C)
        l.add(prefix + "qkv.weight", true, 3 * C, C);           // (3C, C)
        l.add(prefix + "qkv.bias", false, 3 * C);               // (3C)
        l.add(prefix + "attn_proj.weight", true, C, C);         // (C, C)
        l.add(prefix + "attn_proj.bias", false, C);             // (C)
        l.add(prefix + "ln2.weight", false, C);                 // (C)
        l.add(prefix + "ln2.bias", false, C);                   // (C)
        l.add(prefix + "fc.weight", true, 4 * C, C);            // (4C, C)
        l.add(prefix + "fc.bias", false, 4 * C);                // (4C)
        l.add(prefix + "fc_proj.weight", true, C, 4 * C);       // (C, 4C)
        l.add(prefix + "fc_proj.bias", false, C);               // (C)
    }

    /** GPT-2 initialisation: N(0, 0.02) matrices, residual projections scaled by 1/√(2·layers). */
    public static void init(Slab s, RandomGenerator rnd, int totalLayers) {
        init(LayerSlot.of(s), rnd, totalLayers);
    }

    /** GPT-2 initialisation of one layer's slices. */
    public static void init(LayerSlot w, RandomGenerator rnd, int totalLayers) {
        float[] p = w.slab().params().data();
        Layout l = w.slab().layout();
        for (String name : SLICES) {
            Slice s = l.get(w.prefix() + name);
            float value = name.startsWith("ln") && name.endsWith(".weight") ? 1f : 0f;
            fill(p, s.offset(), s.size(), value);
        }
        double residualStd = 0.02 / Math.sqrt(2.0 * totalLayers);
        for (String name : List.of("qkv.weight", "attn_proj.weight", "fc.weight", "fc_proj.weight")) {
            Slice s = l.get(w.prefix() + name);
            gaussian(p, s.offset(), s.size(), name.endsWith("proj.weight") ? residualStd : 0.02, rnd);
        }
    }

    /** Copies one layer's slices from {@code from} to {@code to} (e.g. a backbone layer into an expert). */
    public static void copy(LayerSlot from, LayerSlot to) {
        for (String name : SLICES) {
            Slice a = from.slab().layout().get(from.prefix() + name), b = to.slab().layout().get(to.prefix() + name);
            System.arraycopy(from.slab().params().data(), a.offset(), to.slab().params().data(), b.offset(), a.size());
        }
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
        final LoraSlot lora;
        final Map<String, Projection.LoraBuffers> loraBuffers = new HashMap<>();
        final LayerAdapter adapter;

        public Activations(String prefix, Shape s) {
            this(prefix, s, null, null);
        }

        /** With LoRA adapters (null for none), whose backward scratch lives in {@code scratch}. */
        public Activations(String prefix, Shape s, LoraSlot lora, Scratch scratch) {
            this(prefix, s, lora, scratch, null);
        }

        /** With LoRA adapters and another {@link LayerAdapter} (either null for none). */
        public Activations(String prefix, Shape s, LoraSlot lora, Scratch scratch, LayerAdapter adapter) {
            this(prefix, s, lora, scratch, adapter, true);
        }

        /**
         * Only what {@link #forwardAttention} writes and {@link #backwardAttention} reads, for a
         * layer whose MLP (and output) lives elsewhere: fch, fch_gelu, fc_proj and out are null.
         */
        public static Activations attentionOnly(String prefix, Shape s) {
            return new Activations(prefix, s, null, null, null, false);
        }

        private Activations(String prefix, Shape s, LoraSlot lora, Scratch scratch, LayerAdapter adapter, boolean mlp) {
            this.adapter = adapter;
            int bt = s.rows(), C = s.width();
            ln1 = new Buffer.F32(prefix + ".ln1", bt * C);                    // (B,T,C)
            ln1Mean = new Buffer.F32(prefix + ".ln1_mean", bt);               // (B,T)
            ln1Rstd = new Buffer.F32(prefix + ".ln1_rstd", bt);               // (B,T)
            qkv = new Buffer.F32(prefix + ".qkv", bt * 3 * C);                // (B,T,3C)
            atty = new Buffer.F32(prefix + ".atty", bt * C);                  // (B,T,C)
            att = new Buffer.F32(prefix + ".att", s.batch() * s.heads() * s.seq() * s.seq()); // (B,NH,T,T)
            attProj = new Buffer.F32(prefix + ".attn_proj", bt * C);          // (B,T,C)
            res2 = new Buffer.F32(prefix + ".res2", bt * C);                  // (B,T,C)
            ln2 = new Buffer.F32(prefix + ".ln2", bt * C);                    // (B,T,C)
            ln2Mean = new Buffer.F32(prefix + ".ln2_mean", bt);               // (B,T)
            ln2Rstd = new Buffer.F32(prefix + ".ln2_rstd", bt);               // (B,T)
            fch = mlp ? new Buffer.F32(prefix + ".fch", bt * 4 * C) : null;             // (B,T,4C)
            fchGelu = mlp ? new Buffer.F32(prefix + ".fch_gelu", bt * 4 * C) : null;    // (B,T,4C)
            fcProj = mlp ? new Buffer.F32(prefix + ".fc_proj", bt * C) : null;          // (B,T,C)
            out = mlp ? new Buffer.F32(prefix + ".out", bt * C) : null;                 // (B,T,C)
            this.lora = lora;
            if (lora != null) {
                scratch.reserveLora(bt * lora.rank());
                for (String t : lora.targets()) {
                    loraBuffers.put(t, Projection.LoraBuffers.of(prefix + "." + t, bt, lora.rank(),
                            scratch.dloraHidden, scratch.dloraHiddenRaw));
                }
            }
        }

        Projection.LoraBuffers lora(String target) {
            return loraBuffers.get(target);
        }

        /** The residual stream after attention (B,T,C): the MLP's residual input. */
        public Buffer.F32 res2() {
            return res2;
        }

        /** LayerNorm 2's output (B,T,C): the MLP's input. */
        public Buffer.F32 ln2() {
            return ln2;
        }
    }

    /** Gradient scratch, reused by every layer whose backward runs on the same device in turn. */
    public static final class Scratch {
        final Buffer.F32 dfchGelu, dfch, dln2, datty, dpreatt, dqkv, dln1;
        private final String prefix;
        Buffer.F32 dloraHidden, dloraHiddenRaw;

        public Scratch(String prefix, Shape s) {
            int bt = s.rows(), C = s.width();
            this.prefix = prefix;
            dfchGelu = new Buffer.F32(prefix + ".dfch_gelu", bt * 4 * C);
            dfch = new Buffer.F32(prefix + ".dfch", bt * 4 * C);
            dln2 = new Buffer.F32(prefix + ".dln2", bt * C);
            datty = new Buffer.F32(prefix + ".datty", bt * C);
            dpreatt = new Buffer.F32(prefix + ".dpreatt", s.batch() * s.heads() * s.seq() * s.seq());
            dqkv = new Buffer.F32(prefix + ".dqkv", bt * 3 * C);
            dln1 = new Buffer.F32(prefix + ".dln1", bt * C);
        }

        /** ∂L/∂ln2 (B,T,C), which {@link #backwardAttention} reads. */
        public Buffer.F32 dln2() {
            return dln2;
        }

        /** LoRA backward scratch of (rows·rank) floats, allocated once. */
        void reserveLora(int size) {
            if (dloraHidden == null) {
                dloraHidden = new Buffer.F32(prefix + ".dlora_h", size);
                dloraHiddenRaw = new Buffer.F32(prefix + ".dlora_h_raw", size);
            } else if (dloraHidden.length() != size) {
                throw new IllegalArgumentException("every layer sharing scratch " + prefix + " must use the same LoRA rank");
            }
        }
    }

    /** Records x (B,T,C) → a.out (B,T,C). Task names start with {@code name}. */
    public static void forward(Graph g, String name, LayerSlot w, Buffer.F32 x, Activations a, Shape s) {
        int bt = s.rows(), C = s.width();
        forwardAttention(g, name, w, x, a, s);
        // 7. fch = ln2 · Wfcᵀ + b   (B,T,4C)
        project(g, name, w, "fc", a.fch, a.ln2, bt, C, 4 * C, a);
        // 8. fch_gelu = GELU(fch)
        g.task(name + ".gelu", bt * 4 * C, Gelu::forward, a.fchGelu, a.fch);
        // 9. fc_proj = fch_gelu · Wfcprojᵀ + b
        project(g, name, w, "fc_proj", a.fcProj, a.fchGelu, bt, 4 * C, C, a);
        // 10. out = res2 + fc_proj
        g.task(name + ".res3", bt * C, Residual::forward, a.out, a.res2, a.fcProj);
    }

    /**
     * Records steps 1-6 of {@link #forward}, the layer up to its MLP: x (B,T,C) → a.res2 (the
     * residual stream after attention) and a.ln2 (the MLP's input). For a layer whose MLP is
     * recorded elsewhere (BTX's routed FFN experts).
     */
    public static void forwardAttention(Graph g, String name, LayerSlot w, Buffer.F32 x, Activations a, Shape s) {
        int bt = s.rows(), C = s.width(), NH = s.heads(), T = s.seq();
        Buffer.F32 p = w.slab().params();
        // 1. ln1 = LayerNorm(x)
        g.task(name + ".ln1", bt, LayerNorm::forward, a.ln1, a.ln1Mean, a.ln1Rstd, x, p,
                i32(w.offset("ln1.weight")), i32(w.offset("ln1.bias")), i32(C));
        if (a.adapter != null) {
            a.adapter.afterNorm(g, name, a.ln1);
        }
        // 2. qkv = ln1 · Wqkvᵀ + b
        project(g, name, w, "qkv", a.qkv, a.ln1, bt, C, 3 * C, a);
        // 3. atty = causal softmax(q·kᵀ/√hs)·v per head
        g.task(name + ".attn", s.batch() * NH * T, Attention::forward, a.atty, a.att, a.qkv,
                i32(s.seq()), i32(s.width()), i32(s.heads()));
        // 4. attn_proj = atty · Wprojᵀ + b
        project(g, name, w, "attn_proj", a.attProj, a.atty, bt, C, C, a);
        // 5. res2 = x + attn_proj
        g.task(name + ".res2", bt * C, Residual::forward, a.res2, x, a.attProj);
        // 6. ln2 = LayerNorm(res2)
        g.task(name + ".ln2", bt, LayerNorm::forward, a.ln2, a.ln2Mean, a.ln2Rstd, a.res2, p,
                i32(w.offset("ln2.weight")), i32(w.offset("ln2.bias")), i32(C));
    }

    /**
     * Records the backward pass. On entry {@code dres} holds ∂L/∂out; on exit it holds ∂L/∂x (the
     * residual stream's gradient flows through in place, as in llm.c). Parameter gradients are
     * accumulated only when the slab is trainable; input gradients always flow.
     */
    public static void backward(Graph g, String name, LayerSlot w, Buffer.F32 x, Activations a, Buffer.F32 dres,
                                Scratch d, Shape s) {
        int bt = s.rows(), C = s.width();
        // 10. out = res2 + fc_proj: ∂fc_proj = dres and ∂res2 = dres (dres is kept and accumulated into)
        // 9. fc_proj
        projectBackward(g, name, w, "fc_proj", d.dfchGelu, dres, a.fchGelu, bt, 4 * C, C, a);
        // 8. GELU
        g.task(name + ".gelu.backward", bt * 4 * C, Gelu::backward, d.dfch, a.fch, d.dfchGelu);
        // 7. fc
        projectBackward(g, name, w, "fc", d.dln2, d.dfch, a.ln2, bt, C, 4 * C, a);
        backwardAttention(g, name, w, x, a, dres, d, s);
    }

    /**
     * Records the backward pass of steps 6-1 ({@link #forwardAttention}). On entry {@code dres}
     * holds ∂L/∂res2 without the MLP's path through ln2, and {@code d.dln2()} holds ∂L/∂ln2; on
     * exit {@code dres} holds ∂L/∂x.
     */
    public static void backwardAttention(Graph g, String name, LayerSlot w, Buffer.F32 x, Activations a, Buffer.F32 dres,
                                         Scratch d, Shape s) {
        int bt = s.rows(), C = s.width(), NH = s.heads(), T = s.seq();
        Buffer.F32 p = w.slab().params();
        boolean train = w.trainable();
        // 6. ln2: dres (= ∂res2) += LN2ᵀ·dln2
        if (train) {
            g.task(name + ".ln2.dparams", C, LayerNorm::backwardParams, w.slab().grads(),
                    i32(w.offset("ln2.weight")), i32(w.offset("ln2.bias")), d.dln2, a.res2, a.ln2Mean, a.ln2Rstd,
                    i32(bt), i32(C));
        }
        g.task(name + ".ln2.dinp", bt, LayerNorm::backwardInput, dres, d.dln2, a.res2, a.ln2Mean,
                a.ln2Rstd, p, i32(w.offset("ln2.weight")), i32(C));
        // 5. res2 = x + attn_proj: ∂attn_proj = dres, ∂x = dres (kept in place)
        // 4. attn_proj
        projectBackward(g, name, w, "attn_proj", d.datty, dres, a.atty, bt, C, C, a);
        // 3. attention
        int rows = s.batch() * NH * T;
        g.task(name + ".attn.dscores", rows, Attention::backwardScores, d.dpreatt, d.datty, a.att, a.qkv,
                i32(s.seq()), i32(s.width()), i32(s.heads()));
        zero(g, name + ".dqkv.zero", d.dqkv);
        g.task(name + ".attn.dinp", rows, Attention::backwardInput, d.dqkv, d.dpreatt, a.att, a.qkv, d.datty,
                i32(s.seq()), i32(s.width()), i32(s.heads()));
        // 2. qkv
        projectBackward(g, name, w, "qkv", d.dln1, d.dqkv, a.ln1, bt, C, 3 * C, a);
        if (a.adapter != null) {
            a.adapter.afterNormBackward(g, name, a.ln1, d.dln1);
        }
        // 1. ln1: dres (= ∂x) += LN1ᵀ·dln1
        if (train) {
            g.task(name + ".ln1.dparams", C, LayerNorm::backwardParams, w.slab().grads(),
                    i32(w.offset("ln1.weight")), i32(w.offset("ln1.bias")), d.dln1, x, a.ln1Mean, a.ln1Rstd,
                    i32(bt), i32(C));
        }
        g.task(name + ".ln1.dinp", bt, LayerNorm::backwardInput, dres, d.dln1, x, a.ln1Mean, a.ln1Rstd,
                p, i32(w.offset("ln1.weight")), i32(C));
    }

    /** Records projection {@code target}: its matmul (with LoRA), then the layer's adapter, if any. */
    static void project(Graph g, String name, LayerSlot w, String target, Buffer.F32 out, Buffer.F32 inp, int rows,
                        int C, int OC, Activations a) {
        Projection.forward(g, name + "." + target, w, target, out, inp, rows, C, OC, a.lora, a.lora(target));
        if (a.adapter != null) {
            a.adapter.project(g, name + "." + target, target, out, inp, rows, C, OC);
        }
    }

    /** The backward of {@link #project}: the matmul's (which zeroes dinp first), then the adapter's. */
    static void projectBackward(Graph g, String name, LayerSlot w, String target, Buffer.F32 dinp, Buffer.F32 dout,
                                Buffer.F32 inp, int rows, int C, int OC, Activations a) {
        Projection.backward(g, name + "." + target, w, target, dinp, dout, inp, rows, C, OC, a.lora, a.lora(target));
        if (a.adapter != null) {
            a.adapter.projectBackward(g, name + "." + target, target, dinp, dout, inp, rows, C, OC);
        }
    }

    /** Records {@code b = 0}. */
    public static void zero(Graph g, String name, Buffer.F32 b) {
        g.task(name, b.length(), AdamW::zeroGrad, b, i32(0));
    }
}
