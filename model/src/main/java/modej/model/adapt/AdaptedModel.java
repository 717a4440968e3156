package modej.model.adapt;

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

    /** Forward FLOPs per token at sequence length {@code seq}, as the PyTorch peer counts them: 2·N_matmul + 4·L·T·d. */
    long forwardFlopsPerToken(int seq);

    /** Saves what the method trained (not a frozen backbone); atomically. */
    void save(Path file, Map<String, String> metadata);

    /** 2·(matmul weights) + 4·layers·T·d for a GPT of this width, layers and vocab. */
    static long gptFlops(long matmulWeights, long layers, long seq, long width) {
        return 2 * matmulWeights + 4 * layers * seq * width;
    }

    /** Matmul weights of one transformer layer: 12·C². */
    static long layerMatmulWeights(long width) {
        return 12 * width * width;
    }
}
