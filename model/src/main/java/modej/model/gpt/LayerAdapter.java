package modej.model.gpt;

import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;

/**
 * What a method adds to one transformer layer besides LoRA (e.g. MoE-LoRA's router and routed
 * experts), recorded by {@link TransformerLayer} and {@link DecodeLayer} at fixed points: after the
 * first LayerNorm, after each projection's own matmul, and mirrored in backward. It holds its own
 * buffers for the shape it was made for.
 */
public interface LayerAdapter {

    /** Forward, right after ln1 (B,T,C) is written: e.g. route every token. */
    void afterNorm(Graph g, String name, Buffer.F32 ln1);

    /** Forward, right after {@code out (rows, OC) = inp (rows, C)·Wᵀ + b} of projection {@code target}: adds to out. */
    void project(Graph g, String name, String target, Buffer.F32 out, Buffer.F32 inp, int rows, int C, int OC);

    /**
     * Backward of {@link #project}, right after the projection's own backward wrote dinp: its
     * parameter gradients when trainable, and {@code dinp += } its input gradient.
     */
    void projectBackward(Graph g, String name, String target, Buffer.F32 dinp, Buffer.F32 dout, Buffer.F32 inp,
                         int rows, int C, int OC);

    /** Backward of {@link #afterNorm}, after every projection's backward, before ln1's: {@code dln1 +=} its input gradient. */
    void afterNormBackward(Graph g, String name, Buffer.F32 ln1, Buffer.F32 dln1);

    /** Makes each layer's adapter for one batch shape. */
    interface Factory {
        LayerAdapter forLayer(int layer, String prefix, Shape shape);

        /** The slabs the adapters read (and train). */
        java.util.List<modej.model.param.Slab> slabs();
    }
}
