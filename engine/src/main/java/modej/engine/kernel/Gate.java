package modej.engine.kernel;

/**
 * The MoDE gate: per gate row, a softmax over E1 = 1 + E sources (source 0 the backbone block,
 * sources 1..E the experts), optionally cut to its top k and renormalised, and the mix of the
 * sources' outputs with those weights; plus the causal prefix mean that feeds the sequence gate,
 * and the Switch-Transformer load-balancing statistics.
 *
 * <p>Shapes: logits (gateRows, E1), probs (gateRows, E1), weights (gateRows, E1); y and out
 * (rows, C) with rows = B·T; a gate row g covers the {@code rowsPerGate} rows
 * [g·rowsPerGate, (g + 1)·rowsPerGate): rowsPerGate = 1 for a gate per token (gateRows = B·T;
 * the MoDE model's every gate mode, the sequence gate reading {@link #prefixMean}'s output), T for
 * one decision per whole sequence (gateRows = B); stats (2·E1).
 */
public final class Gate {

    private Gate() {
    }

    /**
     * probs (gateRows, E1) = softmax(logits · invTemperature), the row maximum subtracted;
     * weights (gateRows, E1) = probs, or, when 0 &lt; topK &lt; E1, the topK largest probs (ties:
     * the lower index wins) renormalised to sum 1 and 0 elsewhere. Writes every element of both.
     * Parallel over gate rows.
     */
    public static void forward(float[] weights, float[] probs, float[] logits, int E1, int topK,
                               float invTemperature, int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int g = offset + i;
            int x = g * E1;
            // 1. maximum of the scaled logits
            float max = logits[x] * invTemperature;
            for (int e = 1; e < E1; e++) {
                float z = logits[x + e] * invTemperature;
                if (z > max) {
                    max = z;
                }
            }
            // 2. softmax
            float sum = 0f;
            for (int e = 0; e < E1; e++) {
                float p = FloatMath.exp(logits[x + e] * invTemperature - max);
                probs[x + e] = p;
                sum += p;
            }
            float inv = 1f / sum;
            for (int e = 0; e < E1; e++) {
                probs[x + e] = probs[x + e] * inv;
            }
            // 3. weights: all probs, or the top k renormalised
            if (topK > 0 && topK < E1) {
                float kept = 0f;
                for (int e = 0; e < E1; e++) {
                    if (rank(probs, x, e, E1) < topK) {
                        kept += probs[x + e];
                    }
                }
                float invKept = 1f / kept;
                for (int e = 0; e < E1; e++) {
                    weights[x + e] = rank(probs, x, e, E1) < topK ? probs[x + e] * invKept : 0f;
                }
            } else {
                for (int e = 0; e < E1; e++) {
                    weights[x + e] = probs[x + e];
                }
            }
        }
    }

    /**
     * dlogits (gateRows, E1) += invTemperature · weights · (dweights − Σ_j weights_j · dweights_j),
     * per gate row. Exact for the dense softmax and for the renormalised top k (a softmax over the
     * kept sources, whose unselected weights are 0 and get no gradient). Parallel over gate rows.
     */
    public static void backward(float[] dlogits, float[] dweights, float[] weights, int E1, float invTemperature,
                                int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int g = offset + i;
            int x = g * E1;
            float dot = 0f;
            for (int e = 0; e < E1; e++) {
                dot += weights[x + e] * dweights[x + e];
            }
            for (int e = 0; e < E1; e++) {
                dlogits[x + e] += invTemperature * weights[x + e] * (dweights[x + e] - dot);
            }
        }
    }

    /**
     * out (rows, C) = weights[g][source] · y (rows, C), or += when {@code accumulate != 0}, with
     * g = row / rowsPerGate; weights (gateRows, E1). Parallel over rows. (Not named {@code mix}:
     * that is an OpenCL C built-in, and TornadoVM names the device kernel after the method.)
     */
    public static void mixForward(float[] out, float[] y, float[] weights, int source, int E1, int C, int rowsPerGate,
                           int accumulate, int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int r = offset + i;
            float w = weights[(r / rowsPerGate) * E1 + source];
            int x = r * C;
            if (accumulate == 0) {
                for (int c = 0; c < C; c++) {
                    out[x + c] = w * y[x + c];
                }
            } else {
                for (int c = 0; c < C; c++) {
                    out[x + c] += w * y[x + c];
                }
            }
        }
    }

    /** dy (rows, C) += weights[row / rowsPerGate][source] · dout (rows, C). Parallel over rows. */
    public static void mixBackwardInput(float[] dy, float[] dout, float[] weights, int source, int E1, int C,
                                        int rowsPerGate, int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int r = offset + i;
            float w = weights[(r / rowsPerGate) * E1 + source];
            int x = r * C;
            for (int c = 0; c < C; c++) {
                dy[x + c] += w * dout[x + c];
            }
        }
    }

    /**
     * dweights[g][source] = Σ over the rows r of gate row g, Σ_c dout[r][c] · y[r][c]: written, not
     * accumulated; the other columns of dweights (gateRows, E1) are left untouched, so the E1 calls
     * with source = 0..E1−1 together write all of it. Parallel over gate rows, each summing over
     * its rowsPerGate rows itself.
     */
    public static void mixBackwardWeights(float[] dweights, float[] dout, float[] y, int source, int E1, int C,
                                          int rowsPerGate, int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int g = offset + i;
            int from = g * rowsPerGate * C;
            int to = from + rowsPerGate * C;
            float sum = 0f;
            for (int j = from; j < to; j++) {
                sum += dout[j] * y[j];
            }
            dweights[g * E1 + source] = sum;
        }
    }

    /**
     * pooled (B, T, C) = the causal prefix mean of h (B, T, C): pooled[b][t][c] = Σ_{s ≤ t} h[b][s][c] / (t + 1),
     * so the gate input at token t reads no token after t. Parallel over the B·C columns (b, c);
     * each walks its column once, keeping the running sum (a fixed order, so bit-identical for any
     * split of the columns), and writes all T of its outputs.
     */
    public static void prefixMean(float[] pooled, float[] h, int T, int C, int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int j = offset + i;
            int b = j / C;
            int c = j - b * C;
            float sum = 0f;
            for (int t = 0; t < T; t++) {
                int x = (b * T + t) * C + c;
                sum += h[x];
                pooled[x] = sum / (t + 1);
            }
        }
    }

    /**
     * dh (B, T, C) += ∂ of {@link #prefixMean}: dh[b][s][c] += Σ_{t ≥ s} dpooled[b][t][c] / (t + 1).
     * Parallel over the B·C columns; each walks its column backwards keeping the suffix sum, and
     * adds into all T of its elements of dh.
     */
    public static void prefixMeanBackward(float[] dh, float[] dpooled, int T, int C, int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int j = offset + i;
            int b = j / C;
            int c = j - b * C;
            float sum = 0f;
            for (int t = T - 1; t >= 0; t--) {
                int x = (b * T + t) * C + c;
                sum += dpooled[x] / (t + 1);
                dh[x] += sum;
            }
        }
    }

    /**
     * stats (2·E1): stats[i] = the fraction of gate rows whose arg-max of probs (gateRows, E1),
     * ties to the lower index, is source i; stats[E1 + i] = the mean over gate rows of probs[g][i].
     * Writes both. Parallel over sources, each summing over all gate rows itself. The
     * Switch-Transformer balance loss is coef · E1 · Σ_i stats[i] · stats[E1 + i], on the host.
     */
    public static void balanceStats(float[] stats, float[] probs, int E1, int gateRows, int offset, int count) {
        for (@Parallel int i = 0; i < count; i++) {
            int s = offset + i;
            float routed = 0f;
            float mean = 0f;
            for (int g = 0; g < gateRows; g++) {
                int x = g * E1;
                int argmax = 0;
                for (int e = 1; e < E1; e++) {
                    if (probs[x + e] > probs[x + argmax]) {
                        argmax = e;
                    }
                }
                if (argmax == s) {
                    routed += 1f;
                }
                mean += probs[x + s];
            }
            stats[s] = routed / gateRows;
            stats[E1 + s] = mean / gateRows;
        }
    }

    /**
     * dlogits (gateRows, E1) += invTemperature · probs · (dp − Σ_j probs_j · dp_j) with
     * dp_i = coef[0] · E1 · stats[i] / gateRows: the gradient of the balance loss through the mean
     * probabilities, the routed fractions stats[0..E1) held constant (as in Switch Transformer);
     * coef (1). Parallel over gate rows.
     */
    public static void balanceBackward(float[] dlogits, float[] probs, float[] stats, float[] coef, int E1,
                                       int gateRows, float invTemperature, int offset, int count) {
        float scale = coef[0] * E1 / gateRows;
        for (@Parallel int i = 0; i < count; i++) {
            int g = offset + i;
            int x = g * E1;
            float dot = 0f;
            for (int e = 0; e < E1; e++) {
                dot += probs[x + e] * scale * stats[e];
            }
            for (int e = 0; e < E1; e++) {
                dlogits[x + e] += invTemperature * probs[x + e] * (scale * stats[e] - dot);
            }
        }
    }

    /**
     * How many of row x's E1 probs rank before source e: larger, or equal at a lower index. The
     * top k are the sources of rank below k.
     */
    static int rank(float[] probs, int x, int e, int E1) {
        float p = probs[x + e];
        int before = 0;
        for (int j = 0; j < E1; j++) {
            float q = probs[x + j];
            if (q > p || (q == p && j < e)) {
                before++;
            }
        }
        return before;
    }
}
