package modej.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The decode-step kernels against the full-sequence kernels they replace: {@link CachedAttention}
 * against {@link Attention#forward}, {@link PrefixMean} against a mean computed here, and
 * {@link Embedding#forwardAt} against {@link Embedding#forward}.
 */
class CachedAttentionTest {

    static final int B = 2, T = 6, NH = 2, HS = 4, C = NH * HS;

    /**
     * Decoding a sequence position by position, each row at its own position (row 1 two steps
     * behind row 0), gives at each position exactly the full causal attention's output there: the
     * same float operations in the same order. Also checked split over several workers.
     */
    @Test
    void stepByStepEqualsTheFullCausalAttention() {
        float[] qkv = GradCheck.randomFloats(new SplittableRandom(1), B * T * 3 * C, 1.0);
        float[] full = new float[B * T * C];
        Attention.forward(full, new float[B * NH * T * T], qkv, T, C, NH, 0, B * NH * T);
        for (int parts : new int[]{1, 3}) {
            float[] kcache = new float[B * T * C], vcache = new float[B * T * C], scores = new float[B * NH * T];
            float[] stepQkv = new float[B * 3 * C], out = new float[B * C];
            for (int step = 0; step < T + 2; step++) {
                int[] positions = {Math.min(step, T - 1), Math.max(0, step - 2)};
                for (int b = 0; b < B; b++) {
                    System.arraycopy(qkv, (b * T + positions[b]) * 3 * C, stepQkv, b * 3 * C, 3 * C);
                }
                split(parts, B * C, (o, n) -> CachedAttention.store(kcache, vcache, stepQkv, positions, T, C, o, n));
                split(parts, B * NH * T, (o, n) -> CachedAttention.scores(scores, stepQkv, kcache, positions, T, C, NH, o, n));
                split(parts, B * NH, (o, n) -> CachedAttention.softmax(scores, positions, T, NH, o, n));
                split(parts, B * C, (o, n) -> CachedAttention.values(out, scores, vcache, positions, T, C, NH, o, n));
                for (int b = 0; b < B; b++) {
                    int from = (b * T + positions[b]) * C;
                    assertArrayEquals(java.util.Arrays.copyOfRange(full, from, from + C),
                            java.util.Arrays.copyOfRange(out, b * C, b * C + C),
                            "row " + b + " at position " + positions[b] + ", " + parts + " parts");
                }
                // the probabilities of each row sum to 1 and are 0 beyond the row's position
                for (int bh = 0; bh < B * NH; bh++) {
                    double sum = 0;
                    for (int t2 = 0; t2 < T; t2++) {
                        sum += scores[bh * T + t2];
                        if (t2 > positions[bh / NH]) {
                            assertEquals(0f, scores[bh * T + t2]);
                        }
                    }
                    assertEquals(1.0, sum, 1e-5);
                }
            }
        }
    }

    /** The running prefix mean equals mean(h[0..t]) computed in double, and feeding a position again changes nothing. */
    @Test
    void prefixMeanIsTheMeanOfTheRowsSoFar() {
        float[] h = GradCheck.randomFloats(new SplittableRandom(2), B * T * C, 1.0);
        float[] sums = new float[B * T * C], pooled = new float[B * C], row = new float[B * C];
        for (int t = 0; t < T; t++) {
            int[] positions = {t, t};
            for (int b = 0; b < B; b++) {
                System.arraycopy(h, (b * T + t) * C, row, b * C, C);
            }
            for (int again = 0; again < 2; again++) {
                PrefixMean.advance(pooled, sums, row, positions, T, C, 0, B * C);
                for (int b = 0; b < B; b++) {
                    for (int c = 0; c < C; c++) {
                        double mean = 0;
                        for (int t2 = 0; t2 <= t; t2++) {
                            mean += h[(b * T + t2) * C + c];
                        }
                        mean /= t + 1;
                        assertEquals(mean, pooled[b * C + c], 1e-6, "b " + b + ", t " + t + ", c " + c);
                    }
                }
            }
        }
        // a restart at position 0 forgets the earlier sequence
        PrefixMean.advance(pooled, sums, row, new int[]{0, 0}, T, C, 0, B * C);
        assertArrayEquals(row, pooled);
    }

    @Test
    void embeddingAtPositionsEqualsTheFullEmbedding() {
        int V = 11, maxT = 7;
        float[] params = GradCheck.randomFloats(new SplittableRandom(3), (V + maxT) * C, 1.0);
        int[] tokens = {3, 9, 0, 10, 4, 4, 7, 1, 2, 5, 6, 8, 1, 0};   // (B=2, T=7)
        float[] full = new float[2 * maxT * C];
        Embedding.forward(full, tokens, params, 0, V * C, maxT, C, 0, 2 * maxT);
        float[] out = new float[2 * C];
        for (int t = 0; t < maxT; t++) {
            int[] positions = {t, maxT - 1 - t};
            Embedding.forwardAt(out, new int[]{tokens[t], tokens[maxT + positions[1]]}, positions, params, 0, V * C, C,
                    0, 2 * C);
            assertArrayEquals(java.util.Arrays.copyOfRange(full, t * C, t * C + C),
                    java.util.Arrays.copyOfRange(out, 0, C));
            assertArrayEquals(java.util.Arrays.copyOfRange(full, (maxT + positions[1]) * C, (maxT + positions[1] + 1) * C),
                    java.util.Arrays.copyOfRange(out, C, 2 * C));
        }
    }

    interface Range {
        void run(int offset, int count);
    }

    /** Runs a kernel's range in {@code parts} contiguous pieces, as the backend's workers would. */
    static void split(int parts, int work, Range r) {
        for (int p = 0; p < parts; p++) {
            int lo = work * p / parts, hi = work * (p + 1) / parts;
            r.run(lo, hi - lo);
        }
    }
}
