package modej.tasks.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

class WeightedBatchesTest {

    /** Stream d holds only token d, so a row's domain shows in its first input. */
    static List<int[]> streams(int domains) {
        return java.util.stream.IntStream.range(0, domains).mapToObj(d -> {
            int[] t = new int[100];
            java.util.Arrays.fill(t, d);
            return t;
        }).toList();
    }

    static int[] domainsOfRows(WeightedBatches w, int batch, int seq, int batches) {
        int[] in = new int[batch * seq], tg = new int[batch * seq], out = new int[batch * batches];
        for (int b = 0; b < batches; b++) {
            w.next(in, tg);
            for (int r = 0; r < batch; r++) {
                out[b * batch + r] = in[r * seq];
            }
        }
        return out;
    }

    static int[] text(long seed, int n) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextInt(256);
        }
        return a;
    }

    @Test
    void rowsFollowTheWeightsInEveryPrefix() {
        WeightedBatches w = new WeightedBatches(streams(3), new double[]{2, 1, 0}, 3, 4, 5);
        int[] rows = domainsOfRows(w, 3, 4, 4);
        assertArrayEquals(new int[]{0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0}, rows);
        assertArrayEquals(new long[]{8, 4, 0}, w.rowsPerDomain(), "2:1, and nothing from the weight-0 domain");
    }

    @Test
    void equalWeightsAreRoundRobin() {
        int[] rows = domainsOfRows(new WeightedBatches(streams(3), new double[]{1, 1, 1}, 2, 4, 5), 2, 4, 3);
        assertArrayEquals(new int[]{0, 1, 2, 0, 1, 2}, rows);
    }

    @Test
    void seekGivesTheBatchesOfAnUninterruptedRun() {
        List<int[]> text = List.of(text(1, 500), text(2, 500));
        WeightedBatches straight = new WeightedBatches(text, new double[]{3, 1}, 2, 8, 9);
        int[] in = new int[16], tg = new int[16];
        for (int i = 0; i < 5; i++) {
            straight.next(in, tg);
        }
        WeightedBatches resumed = new WeightedBatches(text, new double[]{3, 1}, 2, 8, 9);
        resumed.seek(4);
        int[] in2 = new int[16], tg2 = new int[16];
        resumed.next(in2, tg2);
        assertArrayEquals(in, in2);
        assertArrayEquals(tg, tg2);
    }

    @Test
    void badWeightsAreErrors() {
        assertEquals("domain weights are all 0: nothing to draw from", assertThrows(IllegalArgumentException.class,
                () -> new WeightedBatches(streams(2), new double[]{0, 0}, 1, 4, 1)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new WeightedBatches(streams(2), new double[]{1}, 1, 4, 1));
    }
}
