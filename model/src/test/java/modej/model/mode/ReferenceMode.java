package modej.model.mode;

import modej.model.gpt.GptParams;
import modej.model.gpt.LayerSlot;
import modej.model.gpt.ReferenceGpt;
import modej.model.param.Slab;

/**
 * An independent double-precision forward of a MoDE model, written from the method's definition:
 * per block, the backbone's layers and each expert's layers read the block input; a softmax gate
 * (temperature, optional top-k renormalised, per token from the token's input or from the causal
 * prefix mean of its sequence, optionally normalised to zero mean and unit variance) mixes them.
 * Returns cross-entropy plus the load-balancing loss, the function the backward pass differentiates.
 */
final class ReferenceMode {

    private ReferenceMode() {
    }

    static double loss(ModeParams m, int[] tokens, int[] targets, int B, int T) {
        GptParams p = m.backbone();
        ModeConfig cfg = m.config();
        GateConfig gc = cfg.gate();
        int C = p.config().width(), NH = p.config().heads(), E1 = cfg.sources();
        double[][] x = ReferenceGpt.embed(p, tokens, B, T);
        double aux = 0;
        for (int b = 0; b < cfg.blocks(); b++) {
            double[][][] y = new double[E1][][];
            y[0] = x;
            for (int j = 0; j < m.layersPerBlock(); j++) {
                y[0] = ReferenceGpt.block(LayerSlot.of(p.layer(b * m.layersPerBlock() + j)), null, y[0], B, T, NH);
            }
            for (int e = 0; e < cfg.experts().size(); e++) {
                y[e + 1] = x;
                for (int j = 0; j < cfg.layersPerExpertBlock(); j++) {
                    y[e + 1] = ReferenceGpt.block(m.expertLayer(cfg.experts().get(e), b, j), null, y[e + 1], B, T, NH);
                }
            }
            double[][] gin = x;
            if (gc.sequenceLevel()) {
                // at token t of sequence q: the mean of x over tokens 0..t of q, summed afresh
                gin = new double[B * T][C];
                for (int q = 0; q < B; q++) {
                    for (int t = 0; t < T; t++) {
                        for (int u = 0; u <= t; u++) {
                            for (int c = 0; c < C; c++) {
                                gin[q * T + t][c] += x[q * T + u][c] / (t + 1);
                            }
                        }
                    }
                }
            }
            if (gc.normalize()) {
                gin = normalize(gin);
            }
            Slab g = m.gate();
            double[][] logits = ReferenceGpt.linear(gin, g.params().data(), g.offset("b" + b + ".weight"),
                    g.offset("b" + b + ".bias"), E1);
            double[][] w = new double[gin.length][];
            double[] fraction = new double[E1], meanProb = new double[E1];
            for (int r = 0; r < gin.length; r++) {
                double[] prob = softmax(logits[r], gc.temperature());
                int arg = 0;
                for (int i = 0; i < E1; i++) {
                    meanProb[i] += prob[i] / gin.length;
                    if (prob[i] > prob[arg]) {
                        arg = i;
                    }
                }
                fraction[arg] += 1.0 / gin.length;
                w[r] = topK(prob, gc.topK());
            }
            for (int i = 0; i < E1; i++) {
                aux += gc.balanceCoef() * E1 * fraction[i] * meanProb[i];
            }
            double[][] next = new double[B * T][C];
            for (int r = 0; r < B * T; r++) {
                for (int s = 0; s < E1; s++) {
                    for (int c = 0; c < C; c++) {
                        next[r][c] += w[r][s] * y[s][r][c];
                    }
                }
            }
            x = next;
        }
        return ReferenceGpt.headLoss(p, x, targets) + aux;
    }

    /** Each row minus its mean, divided by sqrt(its biased variance + 1e-5). */
    static double[][] normalize(double[][] x) {
        double[][] out = new double[x.length][];
        for (int r = 0; r < x.length; r++) {
            double mean = 0, var = 0;
            for (double v : x[r]) {
                mean += v / x[r].length;
            }
            for (double v : x[r]) {
                var += (v - mean) * (v - mean) / x[r].length;
            }
            out[r] = new double[x[r].length];
            for (int c = 0; c < x[r].length; c++) {
                out[r][c] = (x[r][c] - mean) / Math.sqrt(var + 1e-5);
            }
        }
        return out;
    }

    static double[] softmax(double[] z, double temperature) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (double v : z) {
            max = Math.max(max, v / temperature);
        }
        double[] p = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            p[i] = Math.exp(z[i] / temperature - max);
            sum += p[i];
        }
        for (int i = 0; i < z.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** Keeps the k largest (lower index first on ties) and renormalises; k = 0 or ≥ n keeps all. */
    static double[] topK(double[] p, int k) {
        if (k <= 0 || k >= p.length) {
            return p.clone();
        }
        double[] out = new double[p.length];
        boolean[] taken = new boolean[p.length];
        double sum = 0;
        for (int n = 0; n < k; n++) {
            int best = -1;
            for (int i = 0; i < p.length; i++) {
                if (!taken[i] && (best < 0 || p[i] > p[best])) {
                    best = i;
                }
            }
            taken[best] = true;
            sum += p[best];
        }
        for (int i = 0; i < p.length; i++) {
            out[i] = taken[i] ? p[i] / sum : 0;
        }
        return out;
    }
}
