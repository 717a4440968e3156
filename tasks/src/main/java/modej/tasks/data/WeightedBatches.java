package modej.tasks.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Batches whose rows come from several domains in proportion to weights: row k goes to the domain
 * that is furthest behind its share, {@code argmax_d (w_d·(k+1) − rows_d)} (ties: the first), so
 * that every prefix of the run is as close to the weights as whole rows allow. Equal weights give
 * {@link MixedBatches}' round robin; a weight of 0 never draws. Each domain's rows come from its own
 * seeded sampler, so batch i depends only on the seed and i, and {@link #seek} resumes exactly.
 */
public final class WeightedBatches implements Batches {

    private final List<BatchSampler> domains;
    private final double[] weights;
    private final long[] rows;
    private final int batch, seq;
    private final int[] rowIn, rowTarget;
    private long drawn;

    /**
     * @param streams each domain's training tokens
     * @param weights each domain's share, >= 0, not all 0 (normalised here)
     */
    public WeightedBatches(List<int[]> streams, double[] weights, int batch, int seq, long seed) {
        if (streams.isEmpty() || streams.size() != weights.length) {
            throw new IllegalArgumentException("need one weight per domain, got " + weights.length + " for " + streams.size());
        }
        double sum = 0;
        for (double w : weights) {
            if (!(w >= 0) || !Double.isFinite(w)) {
                throw new IllegalArgumentException("domain weights must be >= 0, got " + w);
            }
            sum += w;
        }
        if (!(sum > 0)) {
            throw new IllegalArgumentException("domain weights are all 0: nothing to draw from");
        }
        this.weights = new double[weights.length];
        this.domains = new ArrayList<>();
        for (int d = 0; d < streams.size(); d++) {
            this.weights[d] = weights[d] / sum;
            domains.add(weights[d] > 0 ? new BatchSampler(streams.get(d), 1, seq, seed * 31 + d) : null);
        }
        this.rows = new long[weights.length];
        this.batch = batch;
        this.seq = seq;
        this.rowIn = new int[seq];
        this.rowTarget = new int[seq];
    }

    @Override
    public void next(int[] inputs, int[] targets) {
        for (int r = 0; r < batch; r++) {
            int d = pick();
            domains.get(d).next(rowIn, rowTarget);
            System.arraycopy(rowIn, 0, inputs, r * seq, seq);
            System.arraycopy(rowTarget, 0, targets, r * seq, seq);
        }
    }

    /** The domain of the next row; counts it. */
    private int pick() {
        int best = -1;
        double bestDeficit = 0;
        for (int d = 0; d < weights.length; d++) {
            double deficit = weights[d] * (drawn + 1) - rows[d];
            if (weights[d] > 0 && (best < 0 || deficit > bestDeficit)) {
                best = d;
                bestDeficit = deficit;
            }
        }
        rows[best]++;
        drawn++;
        return best;
    }

    /** Rows drawn so far from each domain. */
    public long[] rowsPerDomain() {
        return rows.clone();
    }

    @Override
    public void seek(long position) {
        java.util.Arrays.fill(rows, 0);
        drawn = 0;
        for (long k = 0; k < position * batch; k++) {
            pick();
        }
        for (int d = 0; d < weights.length; d++) {
            if (domains.get(d) != null) {
                domains.get(d).seek(rows[d]);
            }
        }
    }
}
