package modej.model.method;

import java.util.List;

import modej.engine.graph.Buffer;
import modej.model.gpt.LmGraphs;

/**
 * Graphs of a model whose routers mix sources per token (MoDE's gate per block, BTX's and
 * MoE-LoRA's router per layer): what the routing analysis reads after each forward pass.
 */
public interface RoutedGraphs extends LmGraphs {

    /** Routers, in order: MoDE's blocks, BTX's or MoE-LoRA's layers; 0 when the model has none. */
    int routers();

    /** The sources each router weighs, in weight-column order. */
    List<String> sourceNames();

    /** Router i's mixing weights after the last forward: (rows / rowsPerDecision, sources). */
    Buffer.F32 routerWeights(int router);

    /** Token rows per routing decision: 1 for every router here. */
    int rowsPerDecision();
}
