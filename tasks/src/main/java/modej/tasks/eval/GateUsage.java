package modej.tasks.eval;

import java.util.ArrayList;
import java.util.List;

import modej.engine.device.Backend;
import modej.engine.graph.Buffer;
import modej.model.method.RoutedGraphs;
import modej.tasks.train.Validation;

/**
 * Accumulates a routed model's weights (MoDE's gate per block, BTX's router per layer) over the
 * tokens a validation run evaluates: after each batch's forward pass, every router's weights
 * (decisions, sources) are read, and each decision counts once per token it decides that has a
 * target (1 per token; {@link RoutedGraphs#rowsPerDecision} tokens per decision in general).
 * Padding rows, which have no target, are left out.
 */
final class GateUsage implements Validation.BatchObserver {

    private final RoutedGraphs graphs;
    private final Backend backend;
    private final int blocks, sources;
    private final double[][] weightSums;   // (blocks, sources): Σ tokens · weight
    private final double[] entropySums;    // (blocks): Σ tokens · H(weights of the row)
    private long tokens;

    GateUsage(RoutedGraphs graphs, Backend backend) {
        this.graphs = graphs;
        this.backend = backend;
        this.blocks = graphs.routers();
        this.sources = graphs.sourceNames().size();
        this.weightSums = new double[blocks][sources];
        this.entropySums = new double[blocks];
    }

    @Override
    public void afterForward(int[] targets) {
        int perGate = graphs.rowsPerDecision();
        int gateRows = targets.length / perGate;
        // 1. tokens with a target under each gate decision
        int[] counted = new int[gateRows];
        for (int g = 0; g < gateRows; g++) {
            for (int t = g * perGate; t < (g + 1) * perGate; t++) {
                counted[g] += targets[t] >= 0 ? 1 : 0;
            }
            tokens += counted[g];
        }
        // 2. each block's weights, weighted by those counts
        for (int b = 0; b < blocks; b++) {
            Buffer.F32 w = graphs.routerWeights(b);
            backend.toHost(w);
            float[] d = w.data();
            for (int g = 0; g < gateRows; g++) {
                if (counted[g] == 0) {
                    continue;
                }
                double entropy = 0;
                for (int s = 0; s < sources; s++) {
                    double p = d[g * sources + s];
                    weightSums[b][s] += counted[g] * p;
                    entropy -= p > 0 ? p * Math.log(p) : 0;
                }
                entropySums[b] += counted[g] * entropy;
            }
        }
    }

    /** Per block: mean weights, their entropy and the mean per-token entropy, with {@code names} as the sources. */
    List<EvalReport.GateBlock> blocks(List<String> names) {
        List<EvalReport.GateBlock> out = new ArrayList<>();
        for (int b = 0; b < blocks; b++) {
            double[] mean = new double[sources];
            double entropyOfMean = 0;
            for (int s = 0; s < sources; s++) {
                mean[s] = weightSums[b][s] / tokens;
                entropyOfMean -= mean[s] > 0 ? mean[s] * Math.log(mean[s]) : 0;
            }
            out.add(new EvalReport.GateBlock(b, names, mean, entropyOfMean, entropySums[b] / tokens, tokens));
        }
        return out;
    }
}
