package modej.engine.kernel;

import static modej.engine.kernel.GradCheck.randomFloats;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class GradNormTest {

    /** n not a multiple of the chunk: the last chunk is short. */
    static final int N = 3 * GradNorm.CHUNK + 77, CHUNKS = 4, P_OFF = 2;

    @Test
    void sumsOfSquaresMatchDoubleReferencePerChunk() {
        SplittableRandom rnd = new SplittableRandom(91);
        float[] grads = randomFloats(rnd, N, 2);
        float[] partials = new float[P_OFF + CHUNKS + 1];
        Arrays.fill(partials, Float.NaN); // every chunk's sum is written, nothing else
        GradNorm.sumsOfSquares(partials, P_OFF, grads, N, 0, 1);
        GradNorm.sumsOfSquares(partials, P_OFF, grads, N, 1, CHUNKS - 1);
        for (int c = 0; c < CHUNKS; c++) {
            double expected = 0;
            for (int j = c * GradNorm.CHUNK; j < Math.min(N, (c + 1) * GradNorm.CHUNK); j++) {
                expected += (double) grads[j] * grads[j];
            }
            // a float sum of up to CHUNK positive terms
            assertEquals(expected, partials[P_OFF + c], 1e-5 * expected, "chunk " + c);
        }
        assertEquals(Float.NaN, partials[0]);
        assertEquals(Float.NaN, partials[1]);
        assertEquals(Float.NaN, partials[P_OFF + CHUNKS], "past the last chunk");
    }

    @Test
    void aNonFiniteGradientMakesItsChunkNonFinite() {
        float[] grads = new float[N];
        grads[2 * GradNorm.CHUNK + 5] = Float.NaN;
        float[] partials = new float[CHUNKS];
        GradNorm.sumsOfSquares(partials, 0, grads, N, 0, CHUNKS);
        assertEquals(0f, partials[1]);
        assertEquals(Float.NaN, partials[2]);
    }

    @Test
    void scaleMultipliesItsRangeByTheFactor() {
        SplittableRandom rnd = new SplittableRandom(92);
        float[] grads = randomFloats(rnd, 20, 1);
        float[] grads0 = grads.clone();
        float[] factor = {0.25f};
        GradNorm.scale(grads, factor, 3, 7);
        GradNorm.scale(grads, factor, 10, 5);
        for (int i = 0; i < grads.length; i++) {
            float expected = i >= 3 && i < 15 ? 0.25f * grads0[i] : grads0[i];
            assertEquals(expected, grads[i], "grads[" + i + "]");
        }
    }
}
