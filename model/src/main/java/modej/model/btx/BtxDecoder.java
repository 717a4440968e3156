package modej.model.btx;

import java.util.List;

import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.model.gpt.DecodeLayer;
import modej.model.gpt.GptConfig;
import modej.model.gpt.GptDecoder;
import modej.model.gpt.LayerSlot;
import modej.model.gpt.LmDecoder;
import modej.model.gpt.LmEnds;
import modej.model.param.Slab;

/**
 * A BTX model recorded for incremental decoding: per layer, the backbone's attention half reads
 * and extends its key/value cache ({@link DecodeLayer#forwardAttention}), then the layer's FFN
 * experts and router run on the new row of each sequence, as in {@link BtxGraphs} (the routed
 * experts skipping the sequences not routed to them).
 */
public final class BtxDecoder implements LmDecoder {

    private final BtxParams params;
    private final LmEnds ends;
    private final Buffer.I32 positions;
    private final Graph step;

    public BtxDecoder(BtxParams params, int batch) {
        this.params = params;
        GptConfig c = params.backbone().config();
        this.ends = LmEnds.decoding(params.backbone(), batch);
        this.positions = new Buffer.I32("positions", batch);                                   // (B)
        this.step = new Graph("decode");
        Buffer.F32 balanceCoef = new Buffer.F32("btx.balance_coef", 1);   // read by backward only
        // 1. encoded (B,C) = wte[token] + wpe[position]
        GptDecoder.embedAt(step, ends, positions, params.backbone(), batch);
        Buffer.F32 x = ends.encoded();
        for (int l = 0; l < c.layers(); l++) {
            // 2. attention over the cache, then the FFN experts on each sequence's new row
            DecodeLayer layer = new DecodeLayer("l" + l, batch, c.context(), c.width(), c.heads(), null);
            layer.forwardAttention(step, "l" + l, LayerSlot.of(params.backbone().layer(l)), x, positions, batch,
                    c.width(), c.heads());
            RoutedFfn.Activations a = new RoutedFfn.Activations("l" + l, batch, c.width(), params.config());
            new RoutedFfn(params, l, batch, true, balanceCoef).forward(step, "l" + l, layer.ln2(), layer.res2(), a);
            x = a.out;
        }
        // 3. lnf, logits and probabilities (B,V)
        ends.head(step, x);
    }

    @Override public LmEnds ends() { return ends; }
    @Override public int context() { return params.backbone().config().context(); }
    @Override public Buffer.I32 positions() { return positions; }
    @Override public List<Graph> step() { return List.of(step); }
    @Override public List<Slab> slabs() { return params.slabs(); }
}
