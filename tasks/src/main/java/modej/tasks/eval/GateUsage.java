package modej.tasks.eval;

import java.util.ArrayList;
import java.util.List;

import modej.engine.device.Backend;
import modej.engine.graph.Buffer;
import modej.model.mode.ModeGraphs;
import modej.model.moelora.MoeLoraGraphs;
import modej.tasks.train.Validation;

/**
 * Accumulates a routed model's gate weights over the tokens a validation run evaluates: a MoDE
 * model's gate per block (sources: backbone and experts), or a MoE-LoRA model's router per layer
 * (sources: its LoRA experts). After each batch's forward pass, every unit's weights (gateRows,
 * sources) are read, and each gate row counts once per token it decides that has a target (1 per
 * token; {@link ModeGraphs#rowsPerGate} tokens per decision in general). Padding rows, which have no
 * target, are left out.
 */
final class GateUsage implements Validation.BatchObserver {

    private final List<Buffer.F32> weights;
    private final int perGate;
    private final Backend backend;
    private final int blocks, sources;
    private final double[][] weightSums;   // (blocks, sources): Σ tokens · weight
    private final double[] entropySums;    // (blocks): Σ tokens · H(weights of the row)
    private long tokens;

    GateUsage(ModeGraphs graphs, Backend backend) {
        this(java.util.stream.IntStream.range(0, graphs.params().config().blocks()).mapToObj(graphs::gateWeights).toList(),
                graphs.params().config().sources(), graphs.rowsPerGate(), backend);
    }

    GateUsage(MoeLoraGraphs graphs, Backend backend) {
        this(java.util.stream.IntStream.range(0, graphs.params().backbone().layers()).mapToObj(graphs::routerWeights).toList(),
                graphs.params().config().experts(), 1, backend);
    }

    /** @param weights per unit (block or layer), its weights (gateRows, sources) after a forward */
    private GateUsage(List<Buffer.F32> weights, int sources, int perGate, Backend backend) {
        this.weights = weights;
        this.perGate = perGate;
        this.backend = backend;
        this.blocks = weights.size();
        this.sources = sources;
        this.weightSums = new double[blocks][sources];
        this.entropySums = new double[blocks];
    }

    @Override
    public void afterForward(int[] targets) {
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
            Buffer.F32 w = weights.get(b);
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

    /** Per block (or layer): mean weights, their entropy and the mean per-token entropy, with {@code names} as the sources. */
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
