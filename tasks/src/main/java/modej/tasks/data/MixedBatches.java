package modej.tasks.data;

import java.util.List;

/**
 * Batches whose rows come from several domains in turn (row k of the run from domain k mod D),
 * each domain's rows drawn by its own seeded sampler. Like {@link BatchSampler}, batch i depends
 * only on the seed and i, so a resumed run sees the same data.
 */
public final class MixedBatches implements Batches {

    private final List<BatchSampler> domains;
    private final int batch, seq;
    private final int[] rowIn, rowTarget;
    private long position;

    /** @param streams each domain's training tokens */
    public MixedBatches(List<int[]> streams, int batch, int seq, long seed) {
        if (streams.isEmpty()) {
            throw new IllegalArgumentException("no domains to mix");
        }
        this.batch = batch;
        this.seq = seq;
        this.domains = new java.util.ArrayList<>();
        for (int d = 0; d < streams.size(); d++) {
            domains.add(new BatchSampler(streams.get(d), 1, seq, seed * 31 + d));
        }
        this.rowIn = new int[seq];
        this.rowTarget = new int[seq];
    }

    @Override
    public void next(int[] inputs, int[] targets) {
        int D = domains.size();
        for (int r = 0; r < batch; r++) {
            long k = position * batch + r;
            domains.get((int) (k % D)).next(rowIn, rowTarget);
            System.arraycopy(rowIn, 0, inputs, r * seq, seq);
            System.arraycopy(rowTarget, 0, targets, r * seq, seq);
        }
        position++;
    }

    @Override
    public void seek(long position) {
        this.position = position;
        int D = domains.size();
        long rows = position * batch;
        for (int d = 0; d < D; d++) {
            // rows k < position·B with k mod D == d
            domains.get(d).seek(rows / D + (d < rows % D ? 1 : 0));
        }
    }
}
