package modej.model.moelora;

import modej.model.gpt.GptParams;
import modej.model.gpt.LayerSlot;
import modej.model.gpt.ReferenceGpt;

/**
 * MoE-LoRA's forward and loss in double precision, written from its definition beside
 * {@link ReferenceGpt} (no kernels, no graphs): per layer, router probabilities p = softmax(ln1·Wrᵀ),
 * weights g = p cut to the top k and renormalised, each adapted projection's output plus
 * scale·Σ_e g_e·B_e·A_e·x; the loss is the mean cross-entropy plus, per layer,
 * balance·E·Σ_e f_e·P_e (f_e the fraction of rows whose arg-max is e, P_e the mean of p_e).
 */
final class ReferenceMoeLora {

    private ReferenceMoeLora() {
    }

    static double loss(GptParams p, MoeLoraParams m, int[] tokens, int[] targets, int B, int T) {
        double[][] x = ReferenceGpt.embed(p, tokens, B, T);
        double[] balance = {0};
        for (int l = 0; l < p.config().layers(); l++) {
            x = ReferenceGpt.block(LayerSlot.of(p.layer(l)), null, new Layer(m, l, balance), x, B, T, p.config().heads());
        }
        return ReferenceGpt.headLoss(p, x, targets) + balance[0];
    }

    /** One layer's router and experts. */
    private static final class Layer implements ReferenceGpt.LayerExtra {
        final MoeLoraParams m;
        final int layer;
        final double[] balance;
        double[][] g;

        Layer(MoeLoraParams m, int layer, double[] balance) {
            this.m = m;
            this.layer = layer;
            this.balance = balance;
        }

        @Override
        public void normed(double[][] ln1) {
            MoeLoraConfig c = m.config();
            int E = c.experts(), C = ln1[0].length, rows = ln1.length;
            float[] w = m.slab().params().data();
            int router = m.routerOffset(layer);
            g = new double[rows][E];
            double[] f = new double[E], mean = new double[E];
            for (int r = 0; r < rows; r++) {
                double[] p = new double[E];
                double max = Double.NEGATIVE_INFINITY, z = 0;
                for (int e = 0; e < E; e++) {
                    for (int i = 0; i < C; i++) {
                        p[e] += ln1[r][i] * w[router + e * C + i];
                    }
                    max = Math.max(max, p[e]);
                }
                for (int e = 0; e < E; e++) {
                    p[e] = Math.exp(p[e] - max);
                    z += p[e];
                }
                int argmax = 0;
                for (int e = 0; e < E; e++) {
                    p[e] /= z;
                    mean[e] += p[e] / rows;
                    argmax = p[e] > p[argmax] ? e : argmax;
                }
                f[argmax] += 1.0 / rows;
                // the top k: e is kept when fewer than k others are larger (ties: the lower index first)
                int k = c.dense() ? E : c.topK();
                double kept = 0;
                for (int e = 0; e < E; e++) {
                    int before = 0;
                    for (int j = 0; j < E; j++) {
                        before += p[j] > p[e] || (p[j] == p[e] && j < e) ? 1 : 0;
                    }
                    g[r][e] = before < k ? p[e] : 0;
                    kept += g[r][e];
                }
                for (int e = 0; e < E; e++) {
                    g[r][e] /= kept;
                }
            }
            for (int e = 0; e < E; e++) {
                balance[0] += c.balance() * E * f[e] * mean[e];
            }
        }

        @Override
        public void project(String target, double[][] inp, double[][] out) {
            MoeLoraConfig c = m.config();
            if (!c.targets().contains(target)) {
                return;
            }
            float[] w = m.slab().params().data();
            int r = c.rank(), C = inp[0].length, OC = out[0].length;
            int E = c.experts(), a = m.offsetA(layer, target), b = m.offsetB(layer, target);
            for (int e = 0; e < E; e++) {
                // expert e: A_e = rows e·r … e·r+r−1 of A (E·r, in); B_e = columns e·r … e·r+r−1 of B (out, E·r)
                for (int row = 0; row < inp.length; row++) {
                    double[] h = new double[r];
                    for (int k = 0; k < r; k++) {
                        for (int i = 0; i < C; i++) {
                            h[k] += inp[row][i] * w[a + (e * r + k) * C + i];
                        }
                    }
                    for (int o = 0; o < OC; o++) {
                        double s = 0;
                        for (int k = 0; k < r; k++) {
                            s += h[k] * w[b + o * E * r + e * r + k];
                        }
                        out[row][o] += c.scale() * g[row][e] * s;
                    }
                }
            }
        }
    }
}
