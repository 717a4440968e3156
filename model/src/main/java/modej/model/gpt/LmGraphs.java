package modej.model.gpt;

import java.util.List;

import modej.engine.graph.Buffer;
import modej.engine.graph.Graph;
import modej.model.param.Slab;

/**
 * A language model recorded as task graphs for one batch shape: what a {@link Runner} needs to
 * evaluate and train it. The forward and backward passes may be split into several graphs (MoDE
 * records one per block and module so they can be placed apart); they run in list order.
 */
public interface LmGraphs {

    Shape shape();

    /** The embedding and head ends whose buffers the host reads and writes. */
    LmEnds ends();

    /** Token ids (B·T); set by the host. */
    default Buffer.I32 tokens() {
        return ends().tokens();
    }

    /** Next-token targets (B·T; −1 = ignore); set by the host. */
    default Buffer.I32 targets() {
        return ends().targets();
    }

    /** Per-row loss, 1/0 for a correct argmax, and the softmax (B·T, V). */
    default Buffer.F32 losses() {
        return ends().losses();
    }

    default Buffer.F32 correct() {
        return ends().correct();
    }

    default Buffer.F32 probs() {
        return ends().probs();
    }

    /** 1 / (rows with a target), set by the host before backward. */
    default Buffer.F32 lossScale() {
        return ends().lossScale();
    }

    List<Graph> forward();

    List<Graph> backward();

    /** The forward graphs grouped into stages of mutually independent graphs, in order (MPMD runs a stage at once). */
    default List<List<Graph>> forwardStages() {
        return forward().stream().map(List::of).toList();
    }

    /** The backward graphs grouped likewise. */
    default List<List<Graph>> backwardStages() {
        return backward().stream().map(List::of).toList();
    }

    /** Every slab the graphs use; the trainable ones get an optimizer step. */
    List<Slab> slabs();
}
