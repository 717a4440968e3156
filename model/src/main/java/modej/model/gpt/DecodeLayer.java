package modej.model.gpt;

import modej.model.lora.LoraSlot;
import static modej.engine.graph.Arg.i32;

import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.kernel.CachedAttention;
import modej.engine.kernel.Gelu;
import modej.engine.kernel.LayerNorm;
import modej.engine.kernel.Residual;

/**
 * One pre-LayerNorm GPT-2 block for one new position per sequence: {@link TransformerLayer#forward}
 * with attention reading the layer's {@link KvCache} instead of recomputing the earlier positions.
 * Rows are the B sequences; each sequence's position is in {@code positions} (B).
 */
public final class DecodeLayer {

    private final TransformerLayer.Activations a;
    private final KvCache cache;
    private final int context;

    /**
     * Buffers for {@code batch} sequences of up to {@code context} positions.
     *
     * @param lora the layer's LoRA adapters, or null
     */
    public DecodeLayer(String prefix, int batch, int context, int C, int NH, LoraSlot lora) {
        this(prefix, batch, context, C, NH, lora, null);
    }

    /** With another adapter too, made by {@code adapters} for layer {@code layer} (both null for none). */
    public DecodeLayer(String prefix, int batch, int context, int C, int NH, LoraSlot lora,
                       LayerAdapter.Factory adapters, int layer) {
        this(prefix, batch, context, C, NH, lora,
                adapters == null ? null : adapters.forLayer(layer, prefix, new Shape(batch, 1, C, NH)));
    }

    private DecodeLayer(String prefix, int batch, int context, int C, int NH, LoraSlot lora, LayerAdapter adapter) {
        Shape rows = new Shape(batch, 1, C, NH);   // one row per sequence
        this.a = new TransformerLayer.Activations(prefix, rows, lora,
                lora == null ? null : new TransformerLayer.Scratch(prefix + ".lora_scratch", rows), adapter);
        this.cache = new KvCache(prefix, batch, context, C, NH);
        this.context = context;
    }

    /** The layer's output (B,C). */
    public Buffer.F32 out() {
        return a.out;
    }

    /** Records x (B,C) → out (B,C), appending this step's keys and values to the cache. */
    public void forward(Graph g, String name, LayerSlot w, Buffer.F32 x, Buffer.I32 positions, int batch, int C, int NH) {
        forwardAttention(g, name, w, x, positions, batch, C, NH);
        // 7. fch = ln2 · Wfcᵀ + b   (B,4C)
        TransformerLayer.project(g, name, w, "fc", a.fch, a.ln2, batch, C, 4 * C, a);
        // 8. fch_gelu = GELU(fch)
        g.task(name + ".gelu", batch * 4 * C, Gelu::forward, a.fchGelu, a.fch);
        // 9. fc_proj = fch_gelu · Wfcprojᵀ + b
        TransformerLayer.project(g, name, w, "fc_proj", a.fcProj, a.fchGelu, batch, 4 * C, C, a);
        // 10. out = res2 + fc_proj
        g.task(name + ".res3", batch * C, Residual::forward, a.out, a.res2, a.fcProj);
    }

    /** The residual stream after attention (B,C), once {@link #forwardAttention} has run. */
    public Buffer.F32 res2() {
        return a.res2;
    }

    /** LayerNorm 2's output (B,C): the MLP's input. */
    public Buffer.F32 ln2() {
        return a.ln2;
    }

    /**
     * Records steps 1-6 of {@link #forward}: x (B,C) → res2 and ln2, appending to the cache; for a
     * layer whose MLP is recorded elsewhere (BTX's routed FFN experts).
     */
    public void forwardAttention(Graph g, String name, LayerSlot w, Buffer.F32 x, Buffer.I32 positions, int batch, int C, int NH) {
        int T = context;
        Buffer.F32 p = w.slab().params();
        // 1. ln1 = LayerNorm(x)
        g.task(name + ".ln1", batch, LayerNorm::forward, a.ln1, a.ln1Mean, a.ln1Rstd, x, p,
                i32(w.offset("ln1.weight")), i32(w.offset("ln1.bias")), i32(C));
        if (a.adapter != null) {
            a.adapter.afterNorm(g, name, a.ln1);
        }
        // 2. qkv = ln1 · Wqkvᵀ + b   (B,3C)
        TransformerLayer.project(g, name, w, "qkv", a.qkv, a.ln1, batch, C, 3 * C, a);
        // 3. cache this position's k and v; atty = softmax(q·kᵀ/√hs)·v over the cached positions
        g.task(name + ".kv_store", batch * C, CachedAttention::store, cache.keys, cache.values, a.qkv,
                positions, i32(T), i32(C));
        g.task(name + ".attn.scores", batch * NH * T, CachedAttention::scores, cache.scores, a.qkv,
                cache.keys, positions, i32(T), i32(C), i32(NH));
        g.task(name + ".attn.softmax", batch * NH, CachedAttention::softmax, cache.scores, positions, i32(T), i32(NH));
        g.task(name + ".attn.values", batch * C, CachedAttention::values, a.atty, cache.scores,
                cache.values, positions, i32(T), i32(C), i32(NH));
        // 4. attn_proj = atty · Wprojᵀ + b
        TransformerLayer.project(g, name, w, "attn_proj", a.attProj, a.atty, batch, C, C, a);
        // 5. res2 = x + attn_proj
        g.task(name + ".res2", batch * C, Residual::forward, a.res2, x, a.attProj);
        // 6. ln2 = LayerNorm(res2)
        g.task(name + ".ln2", batch, LayerNorm::forward, a.ln2, a.ln2Mean, a.ln2Rstd, a.res2, p,
                i32(w.offset("ln2.weight")), i32(w.offset("ln2.bias")), i32(C));
    }
}
