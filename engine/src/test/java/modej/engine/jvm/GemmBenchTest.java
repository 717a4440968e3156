package modej.engine.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The GEMM microbenchmark: its peak loop computes what it claims, and its numbers are well formed. */
class GemmBenchTest {

    /** Every lane of the peak loop's output is the sum of the 12 chains acc_c = fma(x, y, acc_c), from acc_c = c. */
    @Test
    void peakLoopDoesTheFmasItCounts() {
        int iters = 1000;
        float[] out = new float[Gemm.V];
        GemmBench.fmaChains(out, iters);
        float x = 0.999f, y = 1e-6f;
        float[] acc = new float[GemmBench.CHAINS];
        for (int c = 0; c < acc.length; c++) {
            acc[c] = c;
            for (int i = 0; i < iters; i++) {
                acc[c] = Math.fma(x, y, acc[c]);
            }
        }
        float sum = acc[0];
        for (int c = 1; c < acc.length; c++) {
            sum += acc[c];
        }
        for (int lane = 0; lane < Gemm.V; lane++) {
            assertEquals(Float.floatToIntBits(sum), Float.floatToIntBits(out[lane]), "lane " + lane);
        }
        // 1000 iterations moved each chain: the loop was not dropped.
        assertTrue(sum > 66f + 1000 * 0.999e-6f * 12 * 0.5f);
    }

    @Test
    void reportsPositiveSpeedsForOddShapesAndThreads() {
        GemmBench.Result r = GemmBench.run(13, 37, 29, 2, 3);
        assertEquals(Gemm.SPECIES.vectorBitSize(), r.vectorBits());
        assertTrue(r.gemmMedian() > 0 && Double.isFinite(r.gemmMedian()), "gemm " + r.gemmMedian());
        assertTrue(r.gemmBest() >= r.gemmMedian(), "best " + r.gemmBest() + " < median " + r.gemmMedian());
        assertTrue(r.peakMedian() > 0 && Double.isFinite(r.peakMedian()), "peak " + r.peakMedian());
        assertTrue(r.peakBest() >= r.peakMedian());
        assertEquals(r.gemmMedian() / r.peakMedian(), r.ofPeak(), 1e-12);
    }

    @Test
    void rejectsEmptyShapes() {
        assertThrows(IllegalArgumentException.class, () -> GemmBench.run(0, 4, 4, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> GemmBench.run(4, 4, 4, 1, 0));
    }
}
