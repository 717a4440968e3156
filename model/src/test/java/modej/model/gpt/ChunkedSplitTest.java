package modej.model.gpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import modej.engine.jvm.JvmBackend;
import modej.model.param.AdamWSettings;

/**
 * Training steps through a backend whose tasks are cut into several chunks per worker (taken by
 * whichever worker is free) give the same bits as one thread: every kernel parallelises over
 * outputs, so no cut of the range changes a result.
 */
class ChunkedSplitTest {

    @Test
    void fiveStepsBitIdenticalForAnyChunking() {
        float[][] one = train(1, 1);
        int[][] setups = {{2, 3}, {3, 5}, {2, 16}};
        for (int[] s : setups) {
            float[][] other = train(s[0], s[1]);
            String what = s[0] + " threads, " + s[1] + " chunks per worker";
            assertArrayEquals(one[0], other[0], "losses, " + what);
            assertArrayEquals(one[1], other[1], "layer 1 weights, " + what);
            assertArrayEquals(one[2], other[2], "embeddings, " + what);
        }
    }

    private static float[][] train(int threads, int chunks) {
        GptConfig cfg = new GptConfig(256, 32, 2, 4, 48, true);
        GptParams p = new GptParams(cfg).init(13).makeTrainable();
        float[] losses = new float[5];
        try (JvmBackend be = new JvmBackend(threads, true, false, chunks)) {
            Runner runner = Runner.of(p, 3, 32, be, AdamWSettings.DEFAULT);
            for (int s = 0; s < losses.length; s++) {
                losses[s] = (float) runner.trainStep(tokens(100 + s), tokens(200 + s), 1e-3f, s + 1).loss();
            }
        }
        return new float[][]{losses, p.layer(1).params().data(), p.embeddings().params().data()};
    }

    private static int[] tokens(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] t = new int[96];
        for (int i = 0; i < t.length; i++) {
            t[i] = r.nextInt(256);
        }
        return t;
    }
}
