package modej.model.gpt;

import modej.model.lora.LoraParams;
import static modej.engine.graph.Arg.i32;

import java.util.ArrayList;
import java.util.List;

import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.engine.kernel.Embedding;
import modej.model.param.Slab;

/**
 * The backbone (optionally with LoRA adapters) recorded for incremental decoding: the step of
 * {@link GptGraphs}'s forward for one new position per sequence, each layer with its own
 * {@link KvCache}.
 */
public final class GptDecoder implements LmDecoder {

    private final GptParams params;
    private final LoraParams lora;
    private final LayerAdapter.Factory adapters;
    private final LmEnds ends;
    private final Buffer.I32 positions;
    private final Graph step;

    /** @param lora adapters on the layers' projections, or null */
    public GptDecoder(GptParams params, LoraParams lora, int batch) {
        this(params, lora, null, batch);
    }

    /** @param adapters makes each layer's other adapter (e.g. MoE-LoRA), or null */
    public GptDecoder(GptParams params, LoraParams lora, LayerAdapter.Factory adapters, int batch) {
        GptConfig c = params.config();
        this.params = params;
        this.lora = lora;
        this.adapters = adapters;
        this.ends = LmEnds.decoding(params, batch);
        this.positions = new Buffer.I32("positions", batch);                         // (B)
        this.step = new Graph("decode");
        // 1. encoded (B,C) = wte[token] + wpe[position]
        embedAt(step, ends, positions, params, batch);
        // 2. the layers, each reading and extending its cache
        Buffer.F32 x = ends.encoded;
        for (int l = 0; l < c.layers(); l++) {
            DecodeLayer layer = new DecodeLayer("l" + l, batch, c.context(), c.width(), c.heads(),
                    lora == null ? null : lora.slot(l), adapters, l);
            layer.forward(step, "l" + l, LayerSlot.of(params.layer(l)), x, positions, batch, c.width(), c.heads());
            x = layer.out();
        }
        // 3. lnf, logits and probabilities (B,V)
        ends.head(step, x);
    }

    /** Records encoded (B,C) = wte[tokens[b]] + wpe[positions[b]] into {@code ends}. */
    public static void embedAt(Graph g, LmEnds ends, Buffer.I32 positions, GptParams params, int batch) {
        Slab emb = params.embeddings();
        int C = params.config().width();
        g.task("embed", batch * C, Embedding::forwardAt, ends.encoded, ends.tokens,
                positions, emb.params(), i32(emb.offset("wte")), i32(emb.offset("wpe")), i32(C));
    }

    @Override public LmEnds ends() { return ends; }
    @Override public int context() { return params.config().context(); }
    @Override public Buffer.I32 positions() { return positions; }
    @Override public List<Graph> step() { return List.of(step); }

    @Override
    public List<Slab> slabs() {
        List<Slab> all = new ArrayList<>(params.slabs());
        if (lora != null) {
            all.add(lora.slab());
        }
        if (adapters != null) {
            all.addAll(adapters.slabs());
        }
        return all;
    }
}
