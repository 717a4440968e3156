package modej.model.btx;

import modej.model.gpt.GptParams;
import modej.model.gpt.LayerSlot;
import modej.model.gpt.ReferenceGpt;
import modej.model.param.Slab;

/**
 * An independent double-precision BTX loss: per layer, the backbone's attention half (ReferenceGpt's
 * layer with its MLP silenced), LayerNorm 2, the router's softmax and top k, and the weighted sum of
 * the FFN experts; plus the Switch balance loss, as the graphs add its gradient.
 */
final class ReferenceBtx {

    private ReferenceBtx() {
    }

    static double loss(BtxParams m, int[] tokens, int[] targets, int B, int T) {
        GptParams p = m.backbone();
        BtxConfig cfg = m.config();
        int C = p.config().width(), NH = p.config().heads(), E1 = cfg.sources();
        double[][] x = ReferenceGpt.embed(p, tokens, B, T);
        double aux = 0;
        for (int l = 0; l < p.config().layers(); l++) {
            Slab layer = p.layer(l);
            // res2: the layer with its MLP's output projection zeroed
            Slab silent = new Slab("silent", layer.layout());
            System.arraycopy(layer.params().data(), 0, silent.params().data(), 0, layer.size());
            var proj = layer.layout().get("fc_proj.weight");
            java.util.Arrays.fill(silent.params().data(), proj.offset(), proj.offset() + proj.size(), 0f);
            var projBias = layer.layout().get("fc_proj.bias");
            java.util.Arrays.fill(silent.params().data(), projBias.offset(), projBias.offset() + projBias.size(), 0f);
            double[][] res2 = ReferenceGpt.block(LayerSlot.of(silent), null, x, B, T, NH);
            float[] lw = layer.params().data();
            double[][] ln2 = layerNorm(res2, lw, layer.offset("ln2.weight"), layer.offset("ln2.bias"));
            double[][] w = new double[B * T][];
            if (cfg.mixed()) {
                Slab r = m.router();
                double[][] logits = ReferenceGpt.linear(ln2, r.params().data(), r.offset("l" + l + ".weight"),
                        r.offset("l" + l + ".bias"), E1);
                double[] fraction = new double[E1], meanProb = new double[E1];
                for (int row = 0; row < B * T; row++) {
                    double[] prob = softmax(logits[row]);
                    int arg = 0;
                    for (int i = 0; i < E1; i++) {
                        meanProb[i] += prob[i] / (B * T);
                        if (prob[i] > prob[arg]) {
                            arg = i;
                        }
                    }
                    fraction[arg] += 1.0 / (B * T);
                    w[row] = topK(prob, cfg.topK());
                }
                for (int i = 0; i < E1; i++) {
                    aux += cfg.balance() * E1 * fraction[i] * meanProb[i];
                }
            } else {
                for (int row = 0; row < B * T; row++) {
                    w[row] = new double[]{1};
                }
            }
            double[][] next = new double[B * T][];
            for (int row = 0; row < B * T; row++) {
                next[row] = res2[row].clone();
            }
            for (int s = 0; s < E1; s++) {
                LayerSlot e = m.mlp(s, l);
                float[] ew = e.slab().params().data();
                double[][] h = ReferenceGpt.linear(ln2, ew, e.offset("fc.weight"), e.offset("fc.bias"), 4 * C);
                for (double[] row : h) {
                    for (int i = 0; i < row.length; i++) {
                        double v = row[i];
                        row[i] = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
                    }
                }
                double[][] y = ReferenceGpt.linear(h, ew, e.offset("fc_proj.weight"), e.offset("fc_proj.bias"), C);
                for (int row = 0; row < B * T; row++) {
                    for (int c = 0; c < C; c++) {
                        next[row][c] += w[row][s] * y[row][c];
                    }
                }
            }
            x = next;
        }
        return ReferenceGpt.headLoss(p, x, targets) + aux;
    }

    static double[][] layerNorm(double[][] x, float[] w, int wOff, int bOff) {
        double[][] out = new double[x.length][];
        for (int r = 0; r < x.length; r++) {
            int C = x[r].length;
            double mean = 0, var = 0;
            for (double v : x[r]) {
                mean += v;
            }
            mean /= C;
            for (double v : x[r]) {
                var += (v - mean) * (v - mean);
            }
            var /= C;
            out[r] = new double[C];
            for (int i = 0; i < C; i++) {
                out[r][i] = (x[r][i] - mean) / Math.sqrt(var + 1e-5) * w[wOff + i] + w[bOff + i];
            }
        }
        return out;
    }

    static double[] softmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double[] p = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            p[i] = Math.exp(z[i] - max);
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
