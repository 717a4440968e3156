package modej.model.method;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import modej.model.gpt.GptParams;
import modej.model.gpt.LmDecoder;
import modej.model.gpt.LmGraphs;
import modej.model.param.ParameterCounts;
import modej.model.param.Slab;

/**
 * A backbone adapted by one method (frozen, full fine-tuning, LoRA, MoDE): graphs for any batch
 * shape, its costs, and its own slabs to save. The backbone's slabs are trainable only for full
 * fine-tuning.
 */
public interface AdaptedModel {

    /** The method's name as the CLI and reports spell it, e.g. {@code lora} or {@code mode-compose}. */
    String method();

    GptParams backbone();

    LmGraphs graphs(int batch, int seq);

    /** The model recorded for incremental decoding (key/value caches) of {@code batch} sequences. */
    LmDecoder decoder(int batch);

    /** Every slab the model uses. */
    List<Slab> slabs();

    ParameterCounts counts();

    /**
     * Forward FLOPs per token at sequence length {@code seq}, as the PyTorch peer counts them:
     * 2·N_matmul + 4·L·T·d, over every matmul that runs (with MoDE's top-k gate every expert still
     * runs on every token, so all are counted; BTX's routed FFN experts run only on the tokens routed
     * to them, so a token counts its k experts).
     */
    long forwardFlopsPerToken(int seq);

    /**
     * FLOPs per token of a training step (forward and backward) at sequence length {@code seq},
     * counting what runs: each matmul's input gradient where the backward pass computes it (2·N),
     * its weight gradient only for trainable weights (2·N), attention's backward as 2 × its forward
     * (8·T·d per layer). Equals 3 × forward when everything is trained (the peer's count); less when
     * frozen weights skip their gradients. Read from the trainable flags now, as graphs recorded now
     * would run.
     */
    long trainFlopsPerToken(int seq);

    /** Saves what the method trained (not a frozen backbone); atomically. */
    void save(Path file, Map<String, String> metadata);

    /** 2·(matmul weights) + 4·layers·T·d for a GPT of this width, layers and vocab. */
    static long gptFlops(long matmulWeights, long layers, long seq, long width) {
        return 2 * matmulWeights + 4 * layers * seq * width;
    }

    /**
     * Backward FLOPs per token of {@code layers} transformer layers whose input gradients are
     * computed: 2·(matmul weights) + 8·T·d each, plus 2·(matmul weights) for the trainable ones.
     */
    static long layersBackwardFlops(long layers, long trainableLayers, long seq, long width) {
        return 2 * (layers + trainableLayers) * layerMatmulWeights(width) + 8 * layers * seq * width;
    }

    /** Backward FLOPs per token of the LM head (vocab, width): its input gradient, and its weight gradient when trainable. */
    static long headBackwardFlops(GptParams backbone) {
        long head = (long) backbone.config().vocab() * backbone.config().width();
        Slab slab = backbone.head() != null ? backbone.head() : backbone.embeddings();
        return 2 * head + (slab.trainable() ? 2 * head : 0);
    }

    /** Matmul weights of one transformer layer: 12·C². */
    static long layerMatmulWeights(long width) {
        return 12 * width * width;
    }
}
