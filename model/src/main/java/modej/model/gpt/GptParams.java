package modej.model.gpt;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import modej.model.param.Layout;
import modej.model.param.Slab;

/**
 * The backbone's parameters: one slab for the embeddings, one per layer, one for the final
 * LayerNorm (and one for an untied LM head).
 */
public final class GptParams {

    private final GptConfig config;
    private final Slab embeddings;
    private final List<Slab> layers;
    private final Slab finalNorm;
    private final Slab head;

    public GptParams(GptConfig config) {
        this.config = config;
        int C = config.width();
        Layout emb = new Layout();
        emb.add("wte", true, config.vocab(), C);
        emb.add("wpe", true, config.context(), C);
        this.embeddings = new Slab("embeddings", emb);
        List<Slab> ls = new ArrayList<>();
        for (int l = 0; l < config.layers(); l++) {
            ls.add(new Slab("layer" + l, TransformerLayer.layout(C)));
        }
        this.layers = List.copyOf(ls);
        Layout fin = new Layout();
        fin.add("lnf.weight", false, C);
        fin.add("lnf.bias", false, C);
        this.finalNorm = new Slab("final", fin);
        if (config.tiedHead()) {
            this.head = null;
        } else {
            Layout h = new Layout();
            h.add("weight", true, config.vocab(), C);
            this.head = new Slab("head", h);
        }
    }

    /** GPT-2 initialisation from a seed; the same seed gives the same weights. */
    public GptParams init(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] e = embeddings.params().data();
        TransformerLayer.gaussian(e, 0, e.length, 0.02, rnd);
        for (Slab l : layers) {
            TransformerLayer.init(l, rnd.split(), config.layers());
        }
        float[] f = finalNorm.params().data();
        TransformerLayer.fill(f, finalNorm.offset("lnf.weight"), config.width(), 1f);
        TransformerLayer.fill(f, finalNorm.offset("lnf.bias"), config.width(), 0f);
        if (head != null) {
            TransformerLayer.gaussian(head.params().data(), 0, head.size(), 0.02, rnd);
        }
        return this;
    }

    public GptConfig config() {
        return config;
    }

    public Slab embeddings() {
        return embeddings;
    }

    public Slab layer(int l) {
        return layers.get(l);
    }

    public List<Slab> layers() {
        return layers;
    }

    public Slab finalNorm() {
        return finalNorm;
    }

    /** The untied LM head, or null when the head is the token embedding. */
    public Slab head() {
        return head;
    }

    /** Every slab, in a fixed order (the order they are saved in). */
    public List<Slab> slabs() {
        List<Slab> all = new ArrayList<>();
        all.add(embeddings);
        all.addAll(layers);
        all.add(finalNorm);
        if (head != null) {
            all.add(head);
        }
        return all;
    }

    /** Makes every slab trainable (full training or fine-tuning). */
    public GptParams makeTrainable() {
        slabs().forEach(Slab::makeTrainable);
        return this;
    }
}
