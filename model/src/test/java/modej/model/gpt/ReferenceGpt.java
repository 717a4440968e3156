package modej.model.gpt;

import modej.model.lora.LoraParams;
import modej.model.lora.LoraSlot;
import modej.model.param.Slab;

/**
 * An independent GPT-2 forward in double precision, written plainly from the architecture's
 * definition (no kernels, no graphs): the reference the model tests compare against, and the
 * function their finite differences differentiate.
 */
public final class ReferenceGpt {

    private ReferenceGpt() {
    }

    /** Mean cross-entropy of next-token prediction over one batch; tokens and targets are (B·T). */
    public static double loss(GptParams p, int[] tokens, int[] targets, int B, int T) {
        return loss(p, null, tokens, targets, B, T);
    }

    /** The same with LoRA adapters (null for none), computed in double beside the frozen weights. */
    public static double loss(GptParams p, LoraParams lora, int[] tokens, int[] targets, int B, int T) {
        double[][] x = embed(p, tokens, B, T);
        for (int l = 0; l < p.config().layers(); l++) {
            x = block(LayerSlot.of(p.layer(l)), lora == null ? null : lora.slot(l), x, B, T, p.config().heads());
        }
        return headLoss(p, x, targets);
    }

    /** wte[token] + wpe[t] for every row. */
    public static double[][] embed(GptParams p, int[] tokens, int B, int T) {
        int C = p.config().width();
        double[][] x = new double[B * T][C];
        float[] emb = p.embeddings().params().data();
        int wte = p.embeddings().offset("wte"), wpe = p.embeddings().offset("wpe");
        for (int r = 0; r < B * T; r++) {
            for (int i = 0; i < C; i++) {
                x[r][i] = emb[wte + tokens[r] * C + i] + emb[wpe + (r % T) * C + i];
            }
        }
        return x;
    }

    /** Final LayerNorm, LM head and mean cross-entropy over rows with a target. */
    public static double headLoss(GptParams p, double[][] x, int[] targets) {
        int C = p.config().width(), V = p.config().vocab();
        float[] emb = p.embeddings().params().data();
        int wte = p.embeddings().offset("wte");
        Slab fin = p.finalNorm();
        double[][] h = layerNorm(x, fin.params().data(), fin.offset("lnf.weight"), fin.offset("lnf.bias"));
        float[] head = p.head() != null ? p.head().params().data() : emb;
        int headOff = p.head() != null ? p.head().offset("weight") : wte;
        double total = 0;
        int n = 0;
        for (int r = 0; r < x.length; r++) {
            if (targets[r] < 0) {
                continue;
            }
            double[] logits = new double[V];
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < V; v++) {
                double s = 0;
                for (int i = 0; i < C; i++) {
                    s += h[r][i] * head[headOff + v * C + i];
                }
                logits[v] = s;
                max = Math.max(max, s);
            }
            double z = 0;
            for (int v = 0; v < V; v++) {
                z += Math.exp(logits[v] - max);
            }
            total += -(logits[targets[r]] - max - Math.log(z));
            n++;
        }
        return total / n;
    }

    /**
     * What a method adds to a layer besides LoRA, in the reference: it sees ln1 first, then adds to
     * each projection's output (e.g. MoE-LoRA's router and routed experts).
     */
    public interface LayerExtra {
        void normed(double[][] ln1);

        void project(String target, double[][] inp, double[][] out);
    }

    /** One transformer layer on x (B·T rows of C), with optional LoRA adapters. */
    public static double[][] block(LayerSlot l, LoraSlot lora, double[][] x, int B, int T, int NH) {
        return block(l, lora, null, x, B, T, NH);
    }

    /** One transformer layer on x (B·T rows of C), with optional LoRA adapters and {@code extra} (null for none). */
    public static double[][] block(LayerSlot l, LoraSlot lora, LayerExtra extra, double[][] x, int B, int T, int NH) {
        int C = x[0].length;
        float[] w = l.slab().params().data();
        double[][] ln1 = layerNorm(x, w, l.offset("ln1.weight"), l.offset("ln1.bias"));
        if (extra != null) {
            extra.normed(ln1);
        }
        double[][] qkv = project(ln1, w, l, "qkv", 3 * C, lora, extra);
        int hs = C / NH;
        double[][] y = new double[B * T][C];
        for (int b = 0; b < B; b++) {
            for (int h = 0; h < NH; h++) {
                for (int t = 0; t < T; t++) {
                    double[] s = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int u = 0; u <= t; u++) {
                        double d = 0;
                        for (int i = 0; i < hs; i++) {
                            d += qkv[b * T + t][h * hs + i] * qkv[b * T + u][C + h * hs + i];
                        }
                        s[u] = d / Math.sqrt(hs);
                        max = Math.max(max, s[u]);
                    }
                    double z = 0;
                    for (int u = 0; u <= t; u++) {
                        s[u] = Math.exp(s[u] - max);
                        z += s[u];
                    }
                    for (int u = 0; u <= t; u++) {
                        for (int i = 0; i < hs; i++) {
                            y[b * T + t][h * hs + i] += s[u] / z * qkv[b * T + u][2 * C + h * hs + i];
                        }
                    }
                }
            }
        }
        double[][] res2 = add(x, project(y, w, l, "attn_proj", C, lora, extra));
        double[][] ln2 = layerNorm(res2, w, l.offset("ln2.weight"), l.offset("ln2.bias"));
        double[][] fc = project(ln2, w, l, "fc", 4 * C, lora, extra);
        for (double[] row : fc) {
            for (int i = 0; i < row.length; i++) {
                double v = row[i];
                row[i] = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
            }
        }
        return add(res2, project(fc, w, l, "fc_proj", C, lora, extra));
    }

    /** x·Wᵀ + b, plus scale·(x·Aᵀ)·Bᵀ when LoRA adapts this target. */
    private static double[][] project(double[][] x, float[] w, LayerSlot l, String target, int OC, LoraSlot lora,
                                      LayerExtra extra) {
        double[][] out = linear(x, w, l.offset(target + ".weight"), l.offset(target + ".bias"), OC);
        if (extra != null) {
            extra.project(target, x, out);
        }
        if (lora != null && lora.adapts(target)) {
            float[] p = lora.slab().params().data();
            int r = lora.rank(), C = x[0].length, a = lora.offsetA(target), b = lora.offsetB(target);
            for (int row = 0; row < x.length; row++) {
                double[] h = new double[r];
                for (int k = 0; k < r; k++) {
                    for (int c = 0; c < C; c++) {
                        h[k] += x[row][c] * p[a + k * C + c];
                    }
                }
                for (int o = 0; o < OC; o++) {
                    double s = 0;
                    for (int k = 0; k < r; k++) {
                        s += h[k] * p[b + o * r + k];
                    }
                    out[row][o] += lora.scale() * s;
                }
            }
        }
        return out;
    }

    private static double[][] layerNorm(double[][] x, float[] w, int wOff, int bOff) {
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

    public static double[][] linear(double[][] x, float[] w, int wOff, int bOff, int OC) {
        double[][] out = new double[x.length][OC];
        int C = x[0].length;
        for (int r = 0; r < x.length; r++) {
            for (int o = 0; o < OC; o++) {
                double s = bOff < 0 ? 0 : w[bOff + o];
                for (int i = 0; i < C; i++) {
                    s += x[r][i] * w[wOff + o * C + i];
                }
                out[r][o] = s;
            }
        }
        return out;
    }

    private static double[][] add(double[][] a, double[][] b) {
        double[][] out = new double[a.length][a[0].length];
        for (int r = 0; r < a.length; r++) {
            for (int i = 0; i < a[r].length; i++) {
                out[r][i] = a[r][i] + b[r][i];
            }
        }
        return out;
    }
}
